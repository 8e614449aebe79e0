// The filter bar's folded parts say what is chosen in them ("Outlets: 2 chosen",
// "Passages: 1 filter"). The server writes that; htmx then swaps only the results, so it
// is kept true here as boxes are ticked and fields changed.
document.addEventListener('change', (e) => {
  const bar = e.target instanceof Element ? e.target.closest('.filter-bar') : null;
  if (!bar) return;
  for (const pick of bar.querySelectorAll('details.pick')) {
    const ticked = pick.querySelectorAll('input[type=checkbox]:checked').length;
    const shown = pick.querySelector('summary strong');
    if (shown) shown.textContent = ticked ? `${ticked} chosen` : shown.dataset.none;
  }
  const passages = bar.querySelector('.passage-filters');
  if (!passages) return;
  const set = [...passages.querySelectorAll('select, input[type=search]')].filter((f) => f.value).length
    + (passages.querySelector('input[name=tag]:checked') ? 1 : 0);
  const shown = passages.querySelector(':scope > summary strong');
  if (shown) shown.textContent = set ? `${set} filter${set === 1 ? '' : 's'}` : 'all';
});
