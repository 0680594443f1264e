from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import health, views
from .auth import ThrottledAdminAuthenticationForm, ThrottledAuthenticationForm

admin.site.site_header = "党员教育师资管理平台"
admin.site.site_title = "党员教育师资管理平台"
admin.site.login_form = ThrottledAdminAuthenticationForm

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=ThrottledAuthenticationForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("instructors/", include("instructors.urls")),
    path("outreach/", include("outreach.urls")),
    path("courses/", include("courses.urls")),
    path("evaluations/", include("evaluations.urls")),
    path("", include("core.urls")),
    path("care/", include("care.urls")),
    path("alliance/", include("alliance.urls")),
    path("admin/", admin.site.urls),
]
# No media is served by URL, in DEBUG neither: every stored file is private (photos, thumbnails, covers, courseware,
# lecture photos) and goes out through a view that checks who may see it (core/files.py). The column pages, the
# only public part, link to works hosted elsewhere and need no files.
