// "/" from anywhere (not while typing) goes to the project's search box (on the search
// page, to its own).
document.addEventListener('keydown', (e) => {
  if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
  const t = e.target;
  if (t instanceof Element && t.closest('input, textarea, select, [contenteditable]')) return;
  const box = document.getElementById('search-q') || document.getElementById('site-search');
  if (!box) return;
  e.preventDefault();
  box.focus();
  box.select();
});
