// Opinion mapping: after htmx swaps in the next statement, move focus to it, so that keyboard and
// screen-reader users continue from the new statement (the status region also announces it).
document.addEventListener("htmx:afterSettle", function (event) {
  var source = event.detail && event.detail.requestConfig && event.detail.requestConfig.elt;
  if (!source || !source.classList || !source.classList.contains("vote-form")) {
    return;
  }
  var heading = document.getElementById("statement-heading");
  if (heading) {
    heading.focus();
  }
});
