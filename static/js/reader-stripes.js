/* Reader page: coding stripes. Beside the text, one bar per annotation in its first tag's
 * colour, over the lines it spans, so overlapping passages with the same colour still show
 * as separate codings (as QDA tools do). Pointing at a bar lights up its passage and its
 * sidebar item; clicking it makes that annotation current. Bars are redrawn after every
 * swap of the reader and on resize. */
(function () {
  'use strict';

  const LANE = 6; // px per bar, side by side when passages overlap
  const MAX_LANES = 5; // further overlaps share the last lane
  const byId = (id) => document.getElementById(id);
  const idsOf = (seg) => seg.dataset.a.trim().split(/\s+/);

  function firstTags() {
    const data = byId('coded-spans');
    const map = new Map();
    if (data) JSON.parse(data.dataset.coded).forEach((s) => map.set(String(s.id), s.tags[0]));
    return map;
  }

  function draw() {
    const box = byId('coding-stripes'), root = byId('article-text');
    if (!box || !root) return;
    const frame = box.parentElement.getBoundingClientRect();
    const extents = new Map(); // annotation id -> {top, bottom, title}
    root.querySelectorAll('[data-a]').forEach((seg) => {
      const rects = Array.from(seg.getClientRects());
      if (!rects.length) return;
      const top = Math.min(...rects.map((r) => r.top)), bottom = Math.max(...rects.map((r) => r.bottom));
      idsOf(seg).forEach((id) => {
        const e = extents.get(id) || { top: Infinity, bottom: -Infinity };
        e.top = Math.min(e.top, top);
        e.bottom = Math.max(e.bottom, bottom);
        extents.set(id, e);
      });
    });
    const tags = firstTags(), laneEnds = [], bars = document.createDocumentFragment();
    const ordered = Array.from(extents.entries()).sort((a, b) => a[1].top - b[1].top || b[1].bottom - a[1].bottom);
    for (const [id, e] of ordered) {
      let lane = laneEnds.findIndex((end) => end <= e.top);
      if (lane < 0) lane = Math.min(laneEnds.length, MAX_LANES - 1);
      laneEnds[lane] = e.bottom + 2;
      const bar = document.createElement('span');
      const tag = tags.get(id);
      bar.className = 'stripe' + (tag ? ' tag-' + tag : '');
      bar.dataset.stripe = id;
      bar.title = byId('h' + id)?.title || '';
      // CSSOM, not style attributes: allowed under the page's CSP.
      bar.style.top = e.top - frame.top + 'px';
      bar.style.height = Math.max(4, e.bottom - e.top) + 'px';
      bar.style.right = lane * LANE + 'px';
      bars.appendChild(bar);
    }
    box.replaceChildren(bars);
  }

  let timer = 0;
  const later = () => { clearTimeout(timer); timer = setTimeout(draw, 100); };
  document.addEventListener('htmx:afterSettle', draw);
  window.addEventListener('resize', later);
  document.fonts?.ready.then(draw);

  // A bar stands for its annotation: hover lights it, a click makes it current.
  const stripeOf = (el) => (el instanceof Element ? el.closest('#coding-stripes .stripe') : null);
  document.addEventListener('mouseover', (e) => {
    const bar = stripeOf(e.target);
    document.querySelectorAll('#article-text .stripe-lit').forEach((el) => el.classList.remove('stripe-lit'));
    document.querySelectorAll('#annotation-list .hover').forEach((el) => el.classList.remove('hover'));
    if (!bar) return;
    const id = bar.dataset.stripe;
    document.querySelectorAll('#article-text [data-a]').forEach((seg) => {
      if (idsOf(seg).includes(id)) seg.classList.add('stripe-lit');
    });
    document.querySelector(`#annotation-list [data-annotation="${id}"]`)?.classList.add('hover');
  });
  document.addEventListener('click', (e) => {
    const bar = stripeOf(e.target);
    if (bar) window.location.hash = 'h' + bar.dataset.stripe; // the reader goes to it
  });
  draw();
})();
