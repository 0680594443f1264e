// The annual report's print button (no inline scripts: the CSP allows only our own files).
document.querySelectorAll("[data-print]").forEach((button) => button.addEventListener("click", () => window.print()));
