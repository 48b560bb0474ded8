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
     现任教学段, 注册机构 by 现任教学段 and 城市) is rebuilt as soon as one of them changes.
   - input[type=file][data-max-bytes|data-formats]: a chosen file over the field's declared size,
     or of a format it does not take, is refused at once with the catalogue's message (rendered
     by the server into data-too-big / data-wrong-format) in the server's own error markup, and
     the input is cleared: nothing else typed is lost and no such file is ever posted (a file over
     the request limit would get the 413 page instead).
   - a[data-history-back] (the 413 page's 返回上一页) goes back in the history, where the browser
     still holds what was typed; without scripts it links to the page itself. */
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

  function fileProblem(input) {
    var file = input.files && input.files[0];
    if (!file) { return null; }
    var formats = input.getAttribute("data-formats");
    if (formats && file.type && formats.split(",").indexOf(file.type) < 0) {
      return input.getAttribute("data-wrong-format");
    }
    var max = parseInt(input.getAttribute("data-max-bytes"), 10);
    if (max && file.size > max) {
      return input.getAttribute("data-too-big").replace("{kb}", String(Math.ceil(file.size / 1024)));
    }
    return null;
  }

  function fieldError(input, text) {
    // the markup of templates/_widgets.html: .field.error, span.field-error#<id>-error after the
    // hint, aria-invalid and the error's id in aria-describedby (after the hint's)
    var box = input.closest(".field"), id = input.id + "-error", span = document.getElementById(id);
    var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) { return x && x !== id; });
    if (!text) {
      if (span && span.getAttribute("data-from-page")) {
        span.parentNode.removeChild(span);
        if (box) { box.classList.remove("error"); }
        input.removeAttribute("aria-invalid");
        if (ids.length) { input.setAttribute("aria-describedby", ids.join(" ")); } else { input.removeAttribute("aria-describedby"); }
      }
      return;
    }
    if (!span) {
      span = document.createElement("span");
      span.className = "field-error";
      span.id = id;
      span.setAttribute("data-from-page", "1");
      var hint = document.getElementById(input.id + "-hint");
      var after = hint || (box && box.querySelector("label"));
      if (after) { after.insertAdjacentElement("afterend", span); } else { input.insertAdjacentElement("beforebegin", span); }
    }
    span.textContent = text;
    if (box) { box.classList.add("error"); }
    input.setAttribute("aria-invalid", "true");
    var at = ids.indexOf(input.id + "-hint") + 1;
    ids.splice(at, 0, id);
    input.setAttribute("aria-describedby", ids.join(" "));
  }

  function checkFile(input) {
    var problem = fileProblem(input);
    if (problem) { input.value = ""; }
    fieldError(input, problem);
    if (problem) { input.blur(); input.focus(); }  // read again, with the message it is now described by
    return !problem;
  }

  function fileChecks(form) {
    var inputs = form.querySelectorAll("input[type=file][data-max-bytes], input[type=file][data-formats]");
    if (!inputs.length) { return; }
    Array.prototype.forEach.call(inputs, function (input) {
      input.addEventListener("change", function () { checkFile(input); });
    });
    form.addEventListener("submit", function (event) {
      var fine = true;
      Array.prototype.forEach.call(inputs, function (input) { fine = checkFile(input) && fine; });
      if (!fine) {
        event.preventDefault();
        event.stopImmediatePropagation();
        form.removeAttribute("data-sent");
      }
    }, true);  // before the other submit handlers (once): a refused file sends nothing
  }

  function start() {
    resetCode();
    Array.prototype.forEach.call(document.querySelectorAll("[data-wait]"), countdown);
    Array.prototype.forEach.call(document.querySelectorAll("[data-confirm]"), confirmWarning);
    Array.prototype.forEach.call(document.querySelectorAll("form"), fileChecks);
    Array.prototype.forEach.call(document.querySelectorAll("form"), once);
    var warning = document.getElementById("timeout-warning");
    if (warning) { timeoutWarning(warning); }
    var dependent = document.getElementById("dependent-choices");
    if (dependent) {
      try { dependentChoices(JSON.parse(dependent.textContent)); } catch (ignored) { /* the server still checks */ }
    }
    Array.prototype.forEach.call(document.querySelectorAll("a[data-history-back]"), function (link) {
      link.addEventListener("click", function (event) {
        if (window.history.length > 1) { event.preventDefault(); window.history.back(); }
      });
    });
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
