/* shenbao web: progressive enhancement only. Every page works without this file.
   - [data-wait]: a "next" button stays disabled until the minimum reading time is over
     (the server refuses an early "next" anyway); the visible count is not a live region,
     a polite status says once that the button can be pressed.
   - [data-confirm]: a warning the server rendered as a confirmation page becomes a
     window.confirm(): OK (确定) submits the "fix" form, Cancel (取消) the "continue" form.
   - forms are not submitted twice by a double click.
   - the password-reset page: the code in the link's #fragment (never sent to the server,
     so in no log) fills the reset-code field, and the fragment leaves the address bar.
   - #timeout-warning: shown (and focused, and announced) shortly before an idle draft would
     expire; 继续填写 or Escape keeps it alive through the keep-alive endpoint, and so does
     typing (at most once a minute).
   - #dependent-choices: a select narrowed by other choices of the step (现任教学科 by
     现任教学段, 注册机构 by 现任教学段 and 城市) is rebuilt as soon as one of them changes. */
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

  function post(url, token) {
    if (!window.fetch) { return Promise.resolve(false); }
    return window.fetch(url, {method: "POST", credentials: "same-origin",
                              headers: {"Content-Type": "application/x-www-form-urlencoded"},
                              body: "csrf_token=" + encodeURIComponent(token)})
      .then(function (r) { return r.ok; }, function () { return false; });
  }

  function timeoutWarning(box) {
    var total = parseInt(box.getAttribute("data-timeout-seconds"), 10) || 0;
    var lead = parseInt(box.getAttribute("data-warn-before"), 10) || 0;
    var url = box.getAttribute("data-keepalive"), token = box.getAttribute("data-csrf");
    var stay = box.querySelector("button.stay"), timer = null, pinged = Date.now(), back = null;
    var announce = document.getElementById("timeout-announce"), text = document.getElementById("timeout-text");
    if (!total || !stay) { return; }
    function arm() {
      window.clearTimeout(timer);
      timer = window.setTimeout(show, Math.max(0, total - lead) * 1000);
    }
    function show() {
      back = document.activeElement;
      box.hidden = false;
      box.focus();
      stay.focus();
      if (announce && text) { announce.textContent = text.textContent; }  // announced once, before expiry
    }
    function keep() {
      pinged = Date.now();
      return post(url, token).then(function (ok) {
        if (ok) { arm(); }
        return ok;
      });
    }
    function dismiss() {
      keep().then(function () {
        box.hidden = true;
        if (announce) { announce.textContent = ""; }
        if (back && back.focus) { back.focus(); }
      });
    }
    stay.addEventListener("click", dismiss);
    box.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { dismiss(); }
    });
    document.addEventListener("input", function () {
      if (box.hidden && Date.now() - pinged > 60000) { keep(); }
    });
    window.shenbaoTimeout = {show: show, keep: keep};
    arm();
  }

  function dependentChoices(data) {
    Object.keys(data).forEach(function (id) {
      var spec = data[id], target = document.getElementById(id);
      var groups = spec.on.map(function (name) { return document.querySelectorAll('[name="' + name + '"]'); });
      if (!target || groups.some(function (g) { return !g.length; })) { return; }
      function chosen(controls) {
        var value = "";
        Array.prototype.forEach.call(controls, function (c) {
          if (c.tagName === "SELECT" || c.checked) { value = c.value; }
        });
        return value;
      }
      function rebuild() {
        var allowed = spec.by, keep = target.value;
        groups.forEach(function (controls) { allowed = allowed ? allowed[chosen(controls)] : null; });
        while (target.options.length > 1) { target.remove(1); }
        (allowed || []).forEach(function (value) {
          var option = document.createElement("option");
          option.value = value;
          option.textContent = spec.labels[value] || value;
          if (value === keep) { option.selected = true; }
          target.appendChild(option);
        });
      }
      groups.forEach(function (controls) {
        Array.prototype.forEach.call(controls, function (c) { c.addEventListener("change", rebuild); });
      });
    });
  }

  function start() {
    resetCode();
    Array.prototype.forEach.call(document.querySelectorAll("[data-wait]"), countdown);
    Array.prototype.forEach.call(document.querySelectorAll("[data-confirm]"), confirmWarning);
    Array.prototype.forEach.call(document.querySelectorAll("form"), once);
    var warning = document.getElementById("timeout-warning");
    if (warning) { timeoutWarning(warning); }
    var dependent = document.getElementById("dependent-choices");
    if (dependent) {
      try { dependentChoices(JSON.parse(dependent.textContent)); } catch (ignored) { /* the server still checks */ }
    }
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
