/* The work page's 弹幕: the approved comments (fetched as JSON, shown as text by the danmaku library, never as
   HTML) fly over the player at their moment; a switch hides them and is remembered in localStorage. The comment
   form takes the moment from the player. */
(function () {
  "use strict";
  var KEY = "djsz-danmaku";
  function remembered() {
    try { return window.localStorage.getItem(KEY) !== "off"; } catch (e) { return true; }
  }
  function remember(on) {
    try { window.localStorage.setItem(KEY, on ? "on" : "off"); } catch (e) { /* private mode: not remembered */ }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var stage = document.getElementById("danmaku-stage");
    var player = document.getElementById("work-player");
    if (!stage || !player || typeof window.Danmaku !== "function") { return; }
    var layer = document.createElement("div");
    layer.className = "danmaku-layer";
    layer.setAttribute("aria-hidden", "true");
    stage.insertBefore(layer, stage.firstChild);
    var toggle = document.getElementById("danmaku-toggle");
    var on = remembered();
    if (toggle) { toggle.checked = on; }
    stage.classList.toggle("danmaku-off", !on);
    var danmaku = null;
    fetch(stage.getAttribute("data-danmaku-url"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { comments: [] }; })
      .then(function (data) {
        var comments = (data.comments || []).map(function (c) {
          return { text: String(c.text), time: Number(c.time) || 0, mode: "rtl" };
        });
        danmaku = new window.Danmaku({ container: layer, media: player, comments: comments, engine: "dom" });
        stage.setAttribute("data-danmaku-ready", String(comments.length));
        if (!on) { danmaku.hide(); }
      });
    if (toggle) {
      toggle.addEventListener("change", function () {
        on = toggle.checked;
        remember(on);
        stage.classList.toggle("danmaku-off", !on);
        if (danmaku) { if (on) { danmaku.show(); } else { danmaku.hide(); } }
      });
    }
    window.addEventListener("resize", function () { if (danmaku) { danmaku.resize(); } });
    var moment = document.getElementById("danmaku-at_seconds");
    if (moment) {
      moment.addEventListener("input", function () { moment.setAttribute("data-typed", "1"); });
      player.addEventListener("timeupdate", function () {
        if (moment.getAttribute("data-typed") !== "1" && document.activeElement !== moment) {
          moment.value = String(Math.floor(player.currentTime || 0));
        }
      });
      if (!moment.value) { moment.value = "0"; }
    }
  });
})();
