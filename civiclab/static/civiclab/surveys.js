// Conditional survey questions: without JavaScript every question is shown with a note ("answer only
// if..."), and the server drops answers whose condition is not met. With it, such a question is hidden
// until its condition holds. No inline code: the page's Content-Security-Policy refuses it.
(function () {
  "use strict";
  var form = document.querySelector("form[data-survey]");
  if (!form) return;
  var conditional = Array.prototype.slice.call(form.querySelectorAll("[data-condition]"));
  if (!conditional.length) return;

  function shown(wrapper) {
    return !wrapper || !wrapper.hidden;
  }

  function update() {
    // In page order, so that a question depending on a hidden one is hidden too.
    conditional.forEach(function (question) {
      var name = question.dataset.condition;
      var value = question.dataset.conditionValue;
      var input = form.querySelector('input[name="' + name + '"][value="' + value + '"]');
      var controller = input ? input.closest(".question") : null;
      var on = Boolean(input && input.checked && shown(controller));
      question.hidden = !on;
      var note = question.querySelector(".condition-note");
      if (note) note.hidden = true;
    });
  }

  form.addEventListener("change", update);
  update();
})();
