// A submit button with data-confirm asks first (a plain form; htmx forms use hx-confirm).
document.addEventListener('submit', (e) => {
  const message = e.submitter?.dataset.confirm;
  if (message && !window.confirm(message)) e.preventDefault();
});
