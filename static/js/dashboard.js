// Small progressive enhancements of the dashboard pages. Every page works without
// this file; it only saves clicks.
(function () {
  "use strict";
  // The /jsi18n/ catalogue when the page loads it; English otherwise.
  var gettext = typeof window.gettext === "function" ? window.gettext : function (s) { return s; };

  // Transcript: start at the latest line, and fetch older lines in place.
  var transcript = document.getElementById("transcript");
  if (transcript && !location.hash) {
    transcript.scrollTop = transcript.scrollHeight;
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-load-older]");
    if (!link || !transcript) return;
    event.preventDefault();
    link.setAttribute("aria-busy", "true");
    link.textContent = gettext("Loading…");
    fetch(link.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var holder = document.createElement("template");
        holder.innerHTML = html.trim();
        var before = transcript.scrollHeight;
        var item = link.closest("li");
        var firstNew = holder.content.querySelector("li:not(.load-older)");
        item.replaceWith(holder.content);
        // Keep the line the reader was looking at where it was.
        transcript.scrollTop += transcript.scrollHeight - before;
        var focusTarget = transcript.querySelector("[data-load-older]") || firstNew;
        if (focusTarget) {
          if (!focusTarget.hasAttribute("tabindex") && focusTarget.tagName === "LI") {
            focusTarget.setAttribute("tabindex", "-1");
          }
          focusTarget.focus();
        }
      })
      .catch(function () {
        link.removeAttribute("aria-busy");
        link.textContent = gettext("Could not load older lines. Try again.");
      });
  });

  // Filter forms whose selects apply as soon as they change.
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.addEventListener("change", function (event) {
      if (event.target.tagName === "SELECT") form.requestSubmit();
    });
  });

  // Buttons that ask before doing something that cannot be undone.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // Compare: two to four candidates.
  document.querySelectorAll("form[data-compare-form]").forEach(function (form) {
    var boxes = Array.prototype.slice.call(form.querySelectorAll('input[type=checkbox][name="c"]'));
    var submit = form.querySelector("[data-compare-submit]");
    function sync() {
      var checked = boxes.filter(function (b) { return b.checked; }).length;
      boxes.forEach(function (b) { b.disabled = !b.checked && checked >= 4; });
      if (submit) submit.disabled = checked < 2;
    }
    form.addEventListener("change", sync);
    sync();
  });

})();
