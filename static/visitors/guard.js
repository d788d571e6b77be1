// The guard page (R-CI-2, R-CI-6): what the page does around an answer that htmx brings.
// A new request first clears the previous answer, so it is never taken for the new one.
// An answer (2xx) empties the visitor's number and his consent from the form, as after a
// full reload (R-PR-6); a refusal (4xx: a mistyped digit, a limit) keeps what was typed,
// so that one digit is corrected instead of twelve retyped; no answer at all says so.
(function () {
  "use strict";

  function guardForm(event) {
    var form = event.detail && event.detail.elt;
    return form && form.matches && form.matches("form[data-guard-form]") ? form : null;
  }

  function showInAnswer(className, text) {
    var answer = document.getElementById("guard-answer");
    if (!answer) return;
    var line = document.createElement("p");
    line.className = className;
    line.textContent = text;
    answer.replaceChildren(line);
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = guardForm(event);
    if (form) showInAnswer("answer-pending", form.dataset.pendingText || "");
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = guardForm(event);
    if (!form) return;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status === 0 || status >= 500) {
      showInAnswer("notice notice-error", form.dataset.failedText || "");
      return;
    }
    if (status >= 200 && status < 300) {
      form.querySelectorAll("[data-clear]").forEach(function (input) { input.value = ""; });
      form.querySelectorAll("input[name=consent]").forEach(function (box) { box.checked = false; });
    }
  });
})();
