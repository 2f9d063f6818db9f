// Keyboard review on a pair's page: a accept, r reject, s skip, n note; "/" search.
// Decisions go through the form (POST /decide), so the page works without this script.
"use strict";
document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target.closest && target.closest("input, textarea, select")) {
    if (event.key === "Escape") target.blur();
    return;
  }
  const form = document.getElementById("decide");
  const act = {
    "/": () => document.querySelector("header input[name=q]").focus(),
    a: form && (() => submit(form, "accept")),
    r: form && (() => submit(form, "reject")),
    s: form && (() => { location.href = document.getElementById("skip").href; }),
    n: form && (() => form.elements.note.focus()),
  }[event.key];
  if (act) { event.preventDefault(); act(); }
});

function submit(form, id) {
  if (form.dataset.sent) return;  // one decision per key press, never two
  form.dataset.sent = "1";
  form.requestSubmit(document.getElementById(id));
}

document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});
