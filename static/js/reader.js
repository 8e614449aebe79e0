/* Reader page: text selection -> annotation offsets, keyboard-first reading, jump/flash/hover
 * between highlights and the sidebar. Plain deferred script under a strict CSP (no eval, no
 * style attributes). htmx swaps parts of #reader-body, so all listeners are delegated on
 * document and elements are looked up by id at use time. */
(function () {
  'use strict';

  const byId = (id) => document.getElementById(id);
  // Offsets are Unicode code points of the canonical text; Array.from iterates by code point.
  const codePoints = (s) => Array.from(s).length;
  const canAnnotate = () => byId('reader-body')?.dataset.canAnnotate === 'true';
  const openForm = () => { const f = byId('annotation-form'); return f && !f.hidden ? f : null; };
  const field = (form, name) => form.querySelector('[name="' + name + '"]');
  const isField = (el) => el instanceof Element && (el.isContentEditable || el.matches('input, textarea, select'));
  const isTextField = (el) => isField(el) &&
    !/^(checkbox|radio|button|submit|reset|file|range|color|image)$/.test(el.type || '');
  const inForm = (el) => el instanceof Element && !!el.closest('#annotation-form');
  const idsOf = (seg) => seg.dataset.a.trim().split(/\s+/);

  /* ---------- selection -> code-point offsets ---------- */
  // The segment (element with data-o) owning a text node; null for template whitespace.
  function segmentOf(textNode, root) {
    const seg = textNode.parentElement && textNode.parentElement.closest('[data-o]');
    return seg && seg !== root && root.contains(seg) ? seg : null;
  }

  // Offset of a boundary point. Inside a segment's text it is exact. Element boundaries
  // (triple-click, paragraph ends, <p>, #article-text) step to segment text: the first one
  // at/after the point for a start, the last one before it for an end. A start at the end of
  // a text / an end at offset 0 step too, so the unrendered "\n\n" is not swallowed.
  function pointOffset(root, node, offset, isEnd) {
    let seg = node.nodeType === Node.TEXT_NODE ? segmentOf(node, root) : null;
    if (seg && (isEnd ? offset > 0 : offset < node.data.length)) {
      // The DOM offset counts UTF-16 units: slice by it, then count the prefix's code points.
      return Number(seg.dataset.o) + codePoints(node.data.slice(0, offset));
    }
    const point = document.createRange();
    point.setStart(node, offset); // a collapsed range = the boundary point, for comparePoint
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode: (t) => (segmentOf(t, root) ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP),
    });
    let found = null;
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      if (isEnd) {
        if (point.comparePoint(t, t.data.length) > 0) break; // this text ends after the point
        found = t;
      } else if (point.comparePoint(t, 0) >= 0) { found = t; break; }
    }
    if (!found) return null;
    seg = segmentOf(found, root);
    return Number(seg.dataset.o) + (isEnd ? codePoints(found.data) : 0);
  }

  // {range, start, end} for a usable selection inside #article-text, else null.
  function readSelection(root) {
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
    // Selections made while typing in the form live outside the article: ignore them.
    if (!root.contains(sel.anchorNode) || !root.contains(sel.focusNode)) return null;
    const range = sel.getRangeAt(0); // in document order, whatever the drag direction
    const start = pointOffset(root, range.startContainer, range.startOffset, false);
    const end = pointOffset(root, range.endContainer, range.endOffset, true);
    return start === null || end === null || end <= start ? null : { range, start, end };
  }

  // Absolutely position el just below a viewport rect, inside the viewport horizontally.
  let anchor = null; // document coordinates of the last placement, reused after swaps
  function placeBelow(el, rect) {
    if (rect) anchor = { x: rect.left + window.scrollX, y: rect.bottom + window.scrollY + 6 };
    if (!anchor) return;
    el.style.position = 'absolute';
    const maxX = window.scrollX + document.documentElement.clientWidth - el.offsetWidth - 8;
    let x = Math.max(window.scrollX + 8, Math.min(anchor.x, maxX)), y = anchor.y;
    const box = el.offsetParent; // coordinates are relative to a positioned ancestor, if any
    if (box && getComputedStyle(box).position !== 'static') {
      const r = box.getBoundingClientRect();
      x -= r.left + window.scrollX + box.clientLeft - box.scrollLeft;
      y -= r.top + window.scrollY + box.clientTop - box.scrollTop;
    }
    el.style.left = x + 'px';
    el.style.top = y + 'px';
  }

  // Only mouse selections move focus into the form; keyboard selections keep it on the page
  // so Shift+Arrow can go on extending (Enter then moves into the form).
  // Where typing starts in the form: the tag filter, or Save in a form without tags
  // (re-attaching an annotation asks only for the passage).
  function formStart() {
    return byId('tag-filter') || byId('annotation-form')?.querySelector('button[type="submit"]');
  }

  function onSelection(focusForm) {
    const root = byId('article-text');
    if (!root) return;
    const picked = readSelection(root);
    if (!canAnnotate()) {
      const hint = byId('readonly-hint');
      if (hint) hint.hidden = !picked;
      if (hint && picked) placeBelow(hint, picked.range.getBoundingClientRect());
      return;
    }
    const form = byId('annotation-form');
    if (!picked || !form) return;
    const start = String(picked.start), end = String(picked.end);
    // The same selection reported twice (mouseup, then selectionchange): leave the form be.
    if (!form.hidden && field(form, 'start').value === start && field(form, 'end').value === end) return;
    field(form, 'start').value = start;
    field(form, 'end').value = end;
    field(form, 'quote').value = picked.range.toString(); // server compares it ignoring whitespace
    // Focus leaves the text, and the browser stops showing the selection: repeat it here.
    const shown = byId('popover-quote');
    if (shown) {
      const words = Array.from(picked.range.toString().replace(/\s+/g, ' ').trim());
      shown.textContent = '“' + (words.length > 160 ? words.slice(0, 159).join('') + '…' : words.join('')) + '”';
    }
    form.hidden = false; // unhide first so its size and offsetParent can be measured
    placeBelow(form, picked.range.getBoundingClientRect());
    if (focusForm) formStart()?.focus({ preventScroll: true });
  }

  function closeForm() {
    const form = byId('annotation-form');
    if (!form) return;
    // Hand the keyboard back to the page now (Chrome blurs hidden elements only later).
    if (form.contains(document.activeElement)) document.activeElement.blur();
    form.hidden = true;
    form.reset(); // hidden inputs (text_hash) keep their server-rendered value
    // After a 422 the "defaults" are the rejected values: clear them and the messages.
    form.querySelectorAll('.error, .field-error').forEach((el) => el.remove());
    form.querySelectorAll('input[type="text"], input[type="search"], textarea').forEach((el) => { el.value = ''; });
    form.querySelectorAll('input[type="checkbox"]').forEach((el) => { el.checked = false; });
    form.querySelectorAll('select').forEach((el) => { el.selectedIndex = 0; });
    filterTags(form, '');
    window.getSelection()?.removeAllRanges();
  }

  function filterTags(form, query) {
    const q = query.trim().toLowerCase();
    form.querySelectorAll('.tag-option').forEach((label) => {
      label.hidden = q !== '' && !label.textContent.toLowerCase().includes(q);
    });
  }

  let pointerDown = false, selectionTimer = 0;
  document.addEventListener('mousedown', (e) => { if (e.button === 0) pointerDown = true; });
  document.addEventListener('mouseup', (e) => {
    pointerDown = false;
    clearTimeout(selectionTimer);
    if (!inForm(e.target)) onSelection(true);
  });
  document.addEventListener('keyup', (e) => {
    // In read-only text only Shift(+Arrow/Home/End) changes the selection.
    if ((e.shiftKey || e.key === 'Shift') && !inForm(e.target) && !isTextField(e.target)) onSelection(false);
  });
  // Touch handles, "select all"…: debounced, and not mid-drag (would steal focus mid-drag).
  document.addEventListener('selectionchange', () => {
    clearTimeout(selectionTimer);
    selectionTimer = setTimeout(() => { if (!pointerDown) onSelection(false); }, 150);
  });

  // Without caret browsing Chrome extends only a range with Shift+Arrow, not the caret a
  // click leaves in read-only text. Extend that caret ourselves.
  const EXTEND = { ArrowLeft: ['left', 'character'], ArrowRight: ['right', 'character'],
    ArrowUp: ['backward', 'line'], ArrowDown: ['forward', 'line'] };
  function extendCaret(e) {
    const sel = window.getSelection(), root = byId('article-text');
    if (!EXTEND[e.key] || !e.shiftKey || e.ctrlKey || e.altKey || e.metaKey || !root || !sel ||
        sel.rangeCount === 0 || !sel.isCollapsed || !root.contains(sel.anchorNode)) return false;
    sel.modify('extend', ...EXTEND[e.key]); // visual left/right: also right in RTL paragraphs
    return true;
  }

  /* ---------- form keys ---------- */
  // Returns true when the key was handled by the open form.
  function formKey(e, form) {
    const t = e.target;
    if (e.key === 'Escape' && !byId('shortcuts-help')?.open) { closeForm(); return true; } // else: closes the dialog
    if (/^[1-9]$/.test(e.key) && !e.ctrlKey && !e.altKey && !e.metaKey &&
        (!isTextField(t) || (t.id === 'tag-filter' && t.value === ''))) {
      const box = form.querySelector('input[type="checkbox"][name="tags"][data-shortcut="' + e.key + '"]');
      box?.click(); // click() so change events fire as for a real toggle
      return true;
    }
    if (e.key !== 'Enter' || e.isComposing || !form.contains(t)) return false;
    if (t.id === 'tag-filter') {
      const visible = Array.from(form.querySelectorAll('.tag-option')).filter((l) => !l.hidden);
      if (t.value.trim() === '' || visible.length !== 1) form.requestSubmit();
      else {
        visible[0].querySelector('input[type="checkbox"]')?.click();
        t.value = ''; // ready to filter for the next tag
        filterTags(form, '');
      }
      return true;
    }
    // Textarea: Shift+Enter keeps its newline. htmx handles the submit event; never fetch here.
    if (t.matches('textarea') ? e.shiftKey : !isTextField(t) || t.matches('select')) return false;
    form.requestSubmit();
    return true;
  }

  document.addEventListener('input', (e) => {
    if (e.target.id === 'tag-filter') filterTags(e.target.form || byId('annotation-form'), e.target.value);
  });

  /* ---------- sidebar: current item, jump and flash ---------- */
  let currentId = null; // an annotation id, not an index or element: survives list swaps
  const listItems = () => Array.from(document.querySelectorAll('#annotation-list .annotation-item'));
  const itemFor = (id) => listItems().find((li) => li.dataset.annotation === id) || null;
  const markCurrent = () => listItems().forEach((li) => li.classList.toggle('current', li.dataset.annotation === currentId));

  let flashTimer = 0;
  function flash(id) {
    clearTimeout(flashTimer);
    document.querySelectorAll('.flash').forEach((el) => el.classList.remove('flash'));
    const segs = Array.from(document.querySelectorAll('#article-text [data-a]')).filter((el) => idsOf(el).includes(id));
    void document.body.offsetWidth; // reflow, so flashing the same id again restarts the animation
    segs.forEach((el) => el.classList.add('flash'));
    flashTimer = setTimeout(() => segs.forEach((el) => el.classList.remove('flash')), 1200);
  }

  // Scroll an item within its own scrolling box (a sticky sidebar) without moving the
  // window, which is busy smooth-scrolling to the highlight.
  function revealInBox(el) {
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      if (!/auto|scroll/.test(getComputedStyle(box).overflowY) || box.scrollHeight <= box.clientHeight) continue;
      const b = box.getBoundingClientRect(), r = el.getBoundingClientRect();
      if (r.top < b.top) box.scrollTop -= b.top - r.top;
      else if (r.bottom > b.bottom) box.scrollTop += r.bottom - b.bottom;
      return;
    }
  }

  // Make annotation `id` current, scroll its first highlight segment into view, flash it.
  function goTo(id, focusItem) {
    currentId = String(id);
    markCurrent();
    const li = itemFor(currentId), first = byId('h' + currentId);
    if (li && focusItem) li.focus({ preventScroll: true });
    if (li && first) revealInBox(li);
    else if (li) li.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    if (first) first.scrollIntoView({ block: 'center', behavior: 'smooth' });
    flash(currentId);
  }

  function step(delta) {
    const items = listItems();
    if (!items.length) return;
    const i = items.findIndex((li) => li.dataset.annotation === currentId);
    const next = i < 0 ? (delta > 0 ? 0 : items.length - 1) : Math.max(0, Math.min(items.length - 1, i + delta));
    goTo(items[next].dataset.annotation, true);
  }

  function readerKey(e) {
    const help = byId('shortcuts-help');
    if (e.key === '?' && help) {
      if (help.open) help.close(); else help.showModal();
      return true;
    }
    if (help?.open) return false; // the modal owns the keyboard until it is closed
    const item = itemFor(currentId);
    switch (e.key) {
      case 'j': step(1); return true;
      case 'k': step(-1); return true;
      case 'e': item?.querySelector('.edit-link')?.click(); return !!item;
      case 'Delete': case 'Backspace': item?.querySelector('.delete-button')?.click(); return !!item;
      case 'n': case 'p': {
        const link = document.querySelector(e.key === 'n' ? 'a[rel="next"]' : 'a[rel="prev"]');
        link?.click(); // a click, not location.href, so hx-boost and the like still apply
        return !!link;
      }
      case 'Enter': // after a keyboard selection the form is open but unfocused: go into it
        if (!openForm() || (e.target !== document.body && !e.target.closest('#article-text'))) return false;
        formStart()?.focus();
        return true;
    }
    return false;
  }

  document.addEventListener('keydown', (e) => {
    const form = openForm();
    let handled = form ? formKey(e, form) : false;
    if (!handled && !isField(e.target)) handled = extendCaret(e);
    if (!handled && !isField(e.target) && !e.ctrlKey && !e.altKey && !e.metaKey) handled = readerKey(e);
    if (handled) e.preventDefault();
  });

  document.addEventListener('click', (e) => {
    const t = e.target;
    if (!(t instanceof Element)) return;
    if (t.closest('#annotation-form [data-action="cancel"]')) return closeForm();
    if (t.closest('[data-action="help"]')) return byId('shortcuts-help')?.showModal();
    const hide = t.closest('.history-close');
    if (hide) return void hide.closest('.item-history')?.replaceChildren();
    const fill = t.closest('button[data-fill]');
    if (fill) { // a suggested name: put it in its field, and drop the "add as new" box
      const form = fill.closest('form');
      const input = form?.querySelector(`input[name="${fill.dataset.fill}"]`);
      if (input) { input.value = fill.dataset.value; input.focus(); }
      fill.closest('.unknown-name')?.remove();
      return;
    }
    const m = /^#h(\d+)$/.exec(t.closest('a.goto')?.hash || '');
    if (m) { e.preventDefault(); return goTo(m[1], false); } // smooth scroll instead of a jump
    const li = t.closest('#annotation-list .annotation-item');
    if (li && !t.closest('a, button, input, select, textarea, label, summary')) goTo(li.dataset.annotation, false);
  });

  /* ---------- hover: highlight segment -> sidebar items ---------- */
  let hovered = '';
  function setHover(ids) {
    if (ids.join(' ') === hovered) return;
    hovered = ids.join(' ');
    listItems().forEach((li) => li.classList.toggle('hover', ids.includes(li.dataset.annotation)));
  }
  document.addEventListener('mouseover', (e) => {
    const seg = e.target instanceof Element ? e.target.closest('#article-text [data-a]') : null;
    setHover(seg ? idsOf(seg) : []);
  });
  document.addEventListener('mouseout', (e) => { if (!e.relatedTarget) setHover([]); }); // left the window

  /* ---------- htmx and the location hash ---------- */
  document.addEventListener('htmx:afterRequest', (e) => {
    const d = e.detail || {};
    // If the form was swapped out, htmx re-fires on a parent; requestConfig keeps the form.
    const source = d.requestConfig?.elt || d.elt;
    // Only 2xx closes: the page's responseHandling makes 422 (validation errors) and 409
    // "successful" too, and the analyst must see those errors in the still-open form.
    const status = d.xhr ? d.xhr.status : 0;
    if (d.successful && source?.id === 'annotation-form' && status >= 200 && status < 300) closeForm();
  });

  // htmx copies a replaced element's style attribute onto its same-id successor with
  // setAttribute, which the CSP blocks (and logs). Drop our CSSOM position from anything about
  // to be swapped; afterSettle puts it back on a still-open form.
  function unstyleBeforeSwap(e) {
    const target = e.detail?.target;
    ['annotation-form', 'readonly-hint'].forEach((id) => {
      const el = byId(id);
      // hasAttribute first: it makes Chrome serialize CSSOM edits; a bare removeAttribute on
      // an unserialized style leaves style="" behind, which htmx would copy all the same.
      if (el && target?.contains(el) && el.hasAttribute('style')) el.removeAttribute('style');
    });
  }
  document.addEventListener('htmx:beforeSwap', unstyleBeforeSwap);
  document.addEventListener('htmx:oobBeforeSwap', unstyleBeforeSwap);

  document.addEventListener('htmx:afterSettle', () => {
    markCurrent();
    hovered = ''; // list items may be new: let the next mouseover re-apply .hover
    const form = openForm();
    if (form && !form.style.top) placeBelow(form, null);
  });

  const fromHash = () => { const m = /^#[ha](\d+)$/.exec(window.location.hash); if (m) goTo(m[1], false); };
  window.addEventListener('hashchange', fromHash);

  // After a save the server names the annotation: make it current and bring it into view.
  document.addEventListener('annotationSaved', (e) => {
    if (e.detail && e.detail.id) setTimeout(() => goTo(String(e.detail.id), true), 0);
  });
  fromHash(); // a deferred script runs after parsing: the DOM is complete
})();
