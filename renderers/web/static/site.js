/* shenbao web: progressive enhancement only. Every page works without this file.
   - [data-wait]: a "next" button stays disabled until the minimum reading time is over
     (the server refuses an early "next" anyway); the visible count is not a live region,
     a polite status says once that the button can be pressed.
   - [data-confirm]: a warning the server rendered as a confirmation page becomes a
     window.confirm(): OK (确定) submits the "fix" form, Cancel (取消) the "continue" form.
   - forms are not submitted twice by a double click.
   - the password-reset page: the code in the link's #fragment (never sent to the server,
     so in no log) fills the reset-code field, and the fragment leaves the address bar. */
(function () {
  "use strict";

  function countdown(button) {
    var left = Math.ceil(parseFloat(button.getAttribute("data-wait")) || 0);
    var note = document.getElementById(button.getAttribute("data-wait-note"));
    var template = note ? note.getAttribute("data-template") : null;
    var status = note ? document.getElementById(note.getAttribute("data-status")) : null;
    if (left <= 0) { return; }
    button.disabled = true;
    function tick() {
      if (note && template) { note.textContent = template.replace("{seconds}", String(left)); }
      if (left <= 0) {
        button.disabled = false;
        if (note) { note.textContent = ""; note.hidden = true; }
        if (status) { status.textContent = status.getAttribute("data-ready"); }  // announced once
        return;
      }
      left -= 1;
      window.setTimeout(tick, 1000);
    }
    if (note) { note.hidden = false; }
    tick();
  }

  function confirmWarning(box) {
    var fix = document.getElementById(box.getAttribute("data-fix-form"));
    var go = document.getElementById(box.getAttribute("data-continue-form"));
    if (!fix || !go) { return; }
    window.setTimeout(function () {
      if (window.confirm(box.getAttribute("data-confirm"))) { fix.submit(); } else { go.submit(); }
    }, 50);
  }

  function once(form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-sent") === "1") { event.preventDefault(); return; }
      form.setAttribute("data-sent", "1");
      window.setTimeout(function () { form.removeAttribute("data-sent"); }, 4000);
    });
  }

  function resetCode() {
    var field = document.getElementById("reset_code");
    var code = window.location.hash.replace(/^#/, "");
    if (!field || !code) { return; }
    if (/^[A-Za-z0-9_-]{16,128}$/.test(code)) { field.value = code; }
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
    }
  }

  function start() {
    resetCode();
    Array.prototype.forEach.call(document.querySelectorAll("[data-wait]"), countdown);
    Array.prototype.forEach.call(document.querySelectorAll("[data-confirm]"), confirmWarning);
    Array.prototype.forEach.call(document.querySelectorAll("form"), once);
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
