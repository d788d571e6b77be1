// The guard page with htmx (R-CI-2): after an answer the visitor's number leaves the
// form, as after a full reload; a new request first clears the previous answer, so it
// is never taken for the new one. The texts come from the form's data attributes.
(function () {
  function texts() { return document.querySelector("form.guard-form") || {dataset: {}}; }
  function say(className, text) {
    var answer = document.getElementById("guard-answer");
    if (!answer) return;
    var p = document.createElement("p");
    p.className = className;
    p.textContent = text || "";
    answer.replaceChildren(p);
  }
  document.addEventListener("htmx:beforeRequest", function () {
    say("answer-pending", texts().dataset.pendingText);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("form.guard-form")) return;
    form.querySelectorAll("[data-clear]").forEach(function (input) { input.value = ""; });
    form.querySelector("input[name=consent]").checked = false;
    if (event.detail.failed) { say("notice notice-error", form.dataset.failedText); }
  });
})();
