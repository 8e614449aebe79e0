// A comparison's cell opens its passages in a panel beside the table (the link still
// opens them as a page with a modifier key, or without JavaScript).
(() => {
  const CELL_LINKS = 'a.count, table.matrix td a, .cell-more, #cell-panel .pager a';
  let opener = null;
  const close = (panel) => {
    panel.hidden = true;
    if (opener) opener.focus();
  };
  document.addEventListener('click', (e) => {
    const panel = document.getElementById('cell-panel');
    const t = e.target instanceof Element ? e.target : null;
    if (!panel || !t || !window.htmx) return;
    if (t.closest('[data-close-panel]')) { close(panel); return; }
    const link = t.closest(CELL_LINKS);
    if (!link || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    if (!panel.contains(link)) opener = link;
    window.htmx.ajax('GET', link.href, { target: '#cell-panel', swap: 'innerHTML' }).then(() => {
      panel.hidden = false;
      panel.scrollTop = 0;
      panel.focus();
    });
  });
  document.addEventListener('keydown', (e) => {
    const panel = document.getElementById('cell-panel');
    if (e.key === 'Escape' && panel && !panel.hidden) close(panel);
  });
})();
