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
  // The create form (#annotation-form) and an annotation's edit form are one form: the
  // same fields, filter and keys.
  const codingForm = (el) => (el instanceof Element ? el.closest('form.coding-form') : null);
  const idsOf = (seg) => seg.dataset.a.trim().split(/\s+/);
  const tagFilter = (form) => form.querySelector('.tag-filter');

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
    const form = byId('annotation-form');
    return (form && tagFilter(form)) || form?.querySelector('button[type="submit"]');
  }

  function onSelection(focusForm, snap) {
    const root = byId('article-text');
    if (!root) return;
    let picked = readSelection(root);
    if (picked && snap && canAnnotate() && byId('snap-words')?.checked) picked = snapped(root, picked);
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
    // The server compares the quote ignoring whitespace.
    field(form, 'quote').value = picked.text ?? picked.range.toString();
    // Focus leaves the text, and the browser stops showing the selection: repeat it here.
    const shown = byId('popover-quote');
    if (shown) {
      const words = Array.from(field(form, 'quote').value.replace(/\s+/g, ' ').trim());
      shown.textContent = '“' + (words.length > 160 ? words.slice(0, 159).join('') + '…' : words.join('')) + '”';
    }
    form.hidden = false; // unhide first so its size and offsetParent can be measured
    placeBelow(form, picked.range.getBoundingClientRect());
    showDuplicates(form);
    if (focusForm) formStart()?.focus({ preventScroll: true });
  }

  /* ---------- whole words ---------- */
  // The canonical text as code points, rebuilt from the segments (paragraph breaks, which
  // are not rendered, as newlines): cached on the text element, which a swap replaces.
  function articleChars(root) {
    if (root.chars) return root.chars;
    const chars = [];
    root.querySelectorAll('[data-o]').forEach((seg) => {
      const o = Number(seg.dataset.o);
      while (chars.length < o) chars.push('\n');
      Array.from(seg.textContent).forEach((c, i) => { chars[o + i] = c; });
    });
    root.chars = chars;
    return chars;
  }

  // Letters, digits and marks; an apostrophe only between two of them ("don’t"), so a
  // closing quote is not taken. A hyphen ends a word: "US" can be picked in "US-led".
  const LETTER = /[\p{L}\p{N}\p{M}_]/u, JOINER = /['’]/u;
  // A selection that starts or ends inside a word takes the whole word, and loses the
  // spaces at its ends; the page's selection is moved to match, so it shows before saving.
  function snapped(root, picked) {
    const c = articleChars(root);
    const letter = (i) => i >= 0 && i < c.length && LETTER.test(c[i]);
    const isWord = (i) => letter(i) || (i >= 0 && JOINER.test(c[i] || '') && letter(i - 1) && letter(i + 1));
    let { start, end } = picked;
    while (start < end && /\s/.test(c[start])) start++;
    while (end > start && /\s/.test(c[end - 1])) end--;
    while (start > 0 && isWord(start - 1) && isWord(start)) start--;
    while (end < c.length && isWord(end - 1) && isWord(end)) end++;
    if (end <= start) return null;
    const text = c.slice(start, end).join('');
    if (start === picked.start && end === picked.end) return { ...picked, text };
    const from = domPoint(root, start, false), to = domPoint(root, end, true);
    if (!from || !to) return picked;
    window.getSelection().setBaseAndExtent(from[0], from[1], to[0], to[1]);
    return { range: window.getSelection().getRangeAt(0), start, end, text };
  }

  // [text node, UTF-16 offset] of a code-point offset: the inverse of pointOffset.
  function domPoint(root, offset, isEnd) {
    for (const seg of root.querySelectorAll('[data-o]')) {
      const node = seg.firstChild;
      if (!node || node.nodeType !== Node.TEXT_NODE) continue;
      const o = Number(seg.dataset.o), chars = Array.from(node.data);
      if (isEnd ? offset > o && offset <= o + chars.length : offset >= o && offset < o + chars.length) {
        return [node, chars.slice(0, offset - o).join('').length];
      }
    }
    return null;
  }

  /* ---------- "already coded here" ---------- */
  let coded = { el: null, list: [] };
  function codedSpans() {
    const el = byId('coded-spans');
    if (el !== coded.el) coded = { el, list: el ? JSON.parse(el.dataset.coded) : [] };
    return coded.list;
  }

  // Before saving, say who already coded an overlapping passage with a tag now ticked.
  function showDuplicates(form) {
    const box = byId('duplicate-notice');
    if (!box || form.id !== 'annotation-form') return;
    const start = Number(field(form, 'start').value), end = Number(field(form, 'end').value);
    const ticked = new Map(Array.from(form.querySelectorAll('input[name="tags"]:checked'))
      .map((box) => [Number(box.value), box.closest('.tag-option').dataset.name]));
    const found = new Set();
    codedSpans().filter((s) => s.start < end && s.end > start).forEach((s) => {
      s.tags.filter((t) => ticked.has(t)).forEach((t) => found.add(`${s.by} as “${ticked.get(t)}”`));
    });
    box.textContent = found.size ? `Already coded here by ${Array.from(found).join('; ')}. Save anyway, or Esc.` : '';
    box.hidden = !found.size;
  }
  document.addEventListener('change', (e) => {
    if (e.target instanceof Element && e.target.matches('#annotation-form input[name="tags"]')) showDuplicates(e.target.form);
    if (e.target instanceof Element && e.target.id === 'snap-words') {
      try { localStorage.setItem('reader.snapWords', e.target.checked ? '1' : '0'); } catch (err) { /* private mode */ }
    }
  });
  function restoreSnapSetting() {
    const box = byId('snap-words');
    try { if (box) box.checked = localStorage.getItem('reader.snapWords') !== '0'; } catch (err) { /* private mode */ }
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
    const notice = byId('duplicate-notice');
    if (notice) notice.hidden = true;
    const shown = byId('popover-quote');
    if (shown) shown.textContent = '';
    restoreSnapSetting();
    window.getSelection()?.removeAllRanges();
  }

  // Whether the form holds something the analyst would lose: a new annotation's ticked
  // tags or typed text; an edit's changes.
  function isFilled(form) {
    const fresh = form.id === 'annotation-form';
    return Array.from(form.elements).some((el) => {
      if (el.type === 'hidden' || el.classList.contains('tag-filter') || el.id === 'snap-words') return false;
      if (el.type === 'checkbox') return fresh ? el.checked : el.checked !== el.defaultChecked;
      if (el.matches('select')) return fresh ? el.value !== '' : !el.options[el.selectedIndex]?.defaultSelected;
      if (el.matches('input, textarea')) return fresh ? el.value.trim() !== '' : el.value !== el.defaultValue;
      return false;
    });
  }

  // Esc and Cancel ask before discarding what was typed or ticked.
  function cancelForm(form) {
    const fresh = form.id === 'annotation-form';
    if (isFilled(form) && !window.confirm(fresh ? 'Discard this annotation?' : 'Discard your changes?')) return;
    if (fresh) closeForm();
    else form.querySelector('[data-action="cancel-edit"]')?.click();
  }

  // The filter narrows the whole codebook (folded groups open while it is in use); the
  // first match is highlighted, the arrows move the highlight, Enter picks it.
  function filterTags(form, query) {
    const q = query.trim().toLowerCase();
    form.querySelectorAll('.tag-entry').forEach((entry) => {
      const name = entry.querySelector('.tag-option').dataset.name.toLowerCase();
      entry.hidden = q ? !name.includes(q) : entry.classList.contains('folded');
    });
    form.querySelectorAll('.tag-break').forEach((el) => { el.hidden = q !== ''; });
    setActive(form, q ? visibleOptions(form)[0] : null);
  }
  const visibleOptions = (form) => Array.from(form.querySelectorAll('.tag-entry'))
    .filter((entry) => !entry.hidden).map((entry) => entry.querySelector('.tag-option'));
  function setActive(form, label) {
    form.querySelectorAll('.tag-option.active').forEach((el) => el.classList.remove('active'));
    if (!label) return;
    label.classList.add('active');
    label.scrollIntoView({ block: 'nearest' });
  }
  function moveActive(form, delta) {
    const options = visibleOptions(form);
    if (!options.length) return;
    const i = options.indexOf(form.querySelector('.tag-option.active'));
    setActive(form, options[i < 0 ? (delta > 0 ? 0 : options.length - 1) : Math.max(0, Math.min(options.length - 1, i + delta))]);
  }
  function pickActive(form, input) {
    const label = form.querySelector('.tag-option.active');
    if (!label) return; // nothing highlighted: Enter in the filter never saves
    label.querySelector('input[type="checkbox"]').click(); // click(): change events fire
    input.value = ''; // ready to filter for the next tag
    filterTags(form, '');
  }
  function fold(button) {
    const form = button.form, id = button.dataset.fold, open = button.getAttribute('aria-expanded') !== 'true';
    button.setAttribute('aria-expanded', String(open));
    button.textContent = open ? '▾' : '▸';
    form.querySelectorAll('.tag-entry').forEach((entry) => {
      if (!entry.dataset.ancestors.split(' ').includes(id)) return;
      entry.classList.toggle('folded', !open);
      entry.hidden = !open;
    });
  }

  // Mouse and touch selections snap to whole words (when the form's box says so); a
  // selection made with the keyboard is exactly what the analyst extended it to.
  let pointerDown = false, selectionTimer = 0, keyboardSelecting = false;
  document.addEventListener('mousedown', (e) => {
    if (e.button === 0) pointerDown = true;
    if (!inForm(e.target)) { keyboardSelecting = false; caretMode = false; showCaret(); }
  });
  document.addEventListener('mouseup', (e) => {
    pointerDown = false;
    clearTimeout(selectionTimer);
    if (!inForm(e.target)) onSelection(true, true);
  });
  document.addEventListener('keyup', (e) => {
    // In read-only text only Shift(+Arrow/Home/End) changes the selection.
    if ((e.shiftKey || e.key === 'Shift') && !inForm(e.target) && !isTextField(e.target)) onSelection(false, false);
  });
  // Touch handles, "select all"…: debounced, and not mid-drag (would steal focus mid-drag).
  document.addEventListener('selectionchange', () => {
    showCaret();
    clearTimeout(selectionTimer);
    selectionTimer = setTimeout(() => { if (!pointerDown) onSelection(false, !keyboardSelecting); }, 150);
  });

  /* ---------- caret mode: annotating without a mouse ---------- */
  // c puts a caret at the start of the current paragraph; the arrows move it (Ctrl: by
  // word), Shift+arrows extend the selection (Ctrl+Shift: by word), s extends it to the
  // end of the sentence. Read-only text shows no caret, so a bar is drawn where it is.
  let caretMode = false;
  const DIRS = { ArrowLeft: ['left', 'character'], ArrowRight: ['right', 'character'],
    ArrowUp: ['backward', 'line'], ArrowDown: ['forward', 'line'] };
  const selectionInText = () => {
    const sel = window.getSelection(), root = byId('article-text');
    return root && sel && sel.rangeCount > 0 && root.contains(sel.focusNode) ? sel : null;
  };

  function placeCaret() {
    const root = byId('article-text');
    const current = currentId && byId('h' + currentId);
    const paragraphs = root ? Array.from(root.querySelectorAll('p')) : [];
    const p = current?.closest('p') || paragraphs.find((el) => el.getBoundingClientRect().bottom > 0) || paragraphs[0];
    const node = p?.querySelector('[data-o]')?.firstChild;
    if (!node) return false;
    window.getSelection().collapse(node, 0);
    caretMode = keyboardSelecting = true;
    showCaret();
    return true;
  }

  function showCaret() {
    let bar = byId('reader-caret');
    const sel = caretMode ? selectionInText() : null;
    if (!sel) { if (bar) bar.hidden = true; return; }
    if (!bar) {
      bar = document.createElement('span');
      bar.id = 'reader-caret';
      bar.className = 'reader-caret';
      bar.setAttribute('aria-hidden', 'true');
      document.body.appendChild(bar);
    }
    const point = document.createRange();
    point.setStart(sel.focusNode, sel.focusOffset);
    const rect = point.getClientRects()[0] || point.getBoundingClientRect();
    bar.style.left = rect.left + window.scrollX + 'px';
    bar.style.top = rect.top + window.scrollY + 'px';
    bar.style.height = (rect.height || 18) + 'px';
    bar.hidden = false;
  }

  function caretKey(e) {
    const sel = selectionInText();
    if (!sel || e.altKey || e.metaKey) return false;
    if (e.key === 's' && !e.ctrlKey && !e.shiftKey) { // to the end of the sentence
      sel.modify('extend', 'forward', 'sentence');
      keyboardSelecting = true;
      onSelection(false, false);
      return true;
    }
    if (!DIRS[e.key]) return false;
    // Chrome extends a range itself, but not the caret a click leaves in read-only text.
    if (e.shiftKey ? !caretMode && !sel.isCollapsed : !caretMode || !sel.isCollapsed) return false;
    const [direction, unit] = DIRS[e.key];
    // Visual left/right: also right in right-to-left paragraphs.
    sel.modify(e.shiftKey ? 'extend' : 'move', direction, e.ctrlKey && unit === 'character' ? 'word' : unit);
    keyboardSelecting = true;
    showCaret();
    return true;
  }

  /* ---------- form keys (the create form and an edit form alike) ---------- */
  const JUMPS = { KeyG: '.tag-filter', KeyS: '[name="speaker"]', KeyT: '[name="target"]',
    KeyC: '[name="claim"]', KeyV: '[name="voice"]', KeyP: '[name="position"]', KeyN: '[name="note"]' };
  // Returns true when the key was handled by the form.
  function formKey(e, form) {
    const t = e.target, filter = t.classList?.contains('tag-filter');
    if (e.key === 'Escape' && !byId('shortcuts-help')?.open) { cancelForm(form); return true; } // else: closes the dialog
    // Alt+letter jumps to a field (by key position: Option+S is "ß" on a Mac).
    if (e.altKey && !e.ctrlKey && !e.metaKey && JUMPS[e.code]) { form.querySelector(JUMPS[e.code])?.focus(); return true; }
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !e.isComposing) { form.requestSubmit(); return true; }
    if (filter && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) { moveActive(form, e.key === 'ArrowDown' ? 1 : -1); return true; }
    if (/^[1-9]$/.test(e.key) && !e.ctrlKey && !e.altKey && !e.metaKey &&
        (!isTextField(t) || (filter && t.value === ''))) {
      const box = form.querySelector('input[type="checkbox"][name="tags"][data-shortcut="' + e.key + '"]');
      box?.click(); // click() so change events fire as for a real toggle
      return true;
    }
    if (e.key !== 'Enter' || e.isComposing || !form.contains(t)) return false;
    if (filter) { pickActive(form, t); return true; } // Enter in the filter picks, never saves
    // Textarea: Shift+Enter keeps its newline. htmx handles the submit event; never fetch here.
    if (t.matches('textarea') ? e.shiftKey : !isTextField(t) || t.matches('select')) return false;
    form.requestSubmit();
    return true;
  }

  document.addEventListener('input', (e) => {
    if (e.target.classList?.contains('tag-filter')) filterTags(e.target.form, e.target.value);
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

  // Follow an htmx link from the keyboard. Its hx- attributes are read here rather than
  // relying on a click: right after a swap htmx may not have wired the new link yet, and
  // a click would then load its page instead.
  function follow(link) {
    if (!link) return;
    const url = link.getAttribute('hx-get');
    if (!url || !window.htmx) { link.click(); return; }
    window.htmx.ajax('GET', url, { target: link.getAttribute('hx-target'), swap: link.getAttribute('hx-swap') || 'innerHTML' });
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
      case 'c': return placeCaret();
      case 'Escape': if (!caretMode) return false; caretMode = false; showCaret(); return true;
      case 'j': step(1); return true;
      case 'k': step(-1); return true;
      case 'e': follow(item?.querySelector('.edit-link')); return !!item;
      case 'Delete': case 'Backspace': item?.querySelector('.delete-button')?.click(); return !!item;
      case 'n': case 'p': {
        const link = document.querySelector(e.key === 'n' ? 'a[rel="next"]' : 'a[rel="prev"]');
        link?.click(); // a click, not location.href, so hx-boost and the like still apply
        return !!link;
      }
      case 'Enter': // after a keyboard selection the form is open but unfocused: go into it
        if (openForm() && (e.target === document.body || e.target.closest('#article-text'))) {
          formStart()?.focus();
          return true;
        }
        // On the current annotation (j/k): open it, to edit if it is yours, else its history.
        if (!item || !(e.target === document.body || e.target === item)) return false;
        follow(item.querySelector('.edit-link') || item.querySelector('.history-link'));
        return true;
    }
    return false;
  }

  document.addEventListener('keydown', (e) => {
    const form = codingForm(e.target) || openForm();
    let handled = form ? formKey(e, form) : false;
    if (!handled && !isField(e.target)) handled = caretKey(e);
    if (!handled && !isField(e.target) && !e.ctrlKey && !e.altKey && !e.metaKey) handled = readerKey(e);
    if (handled) e.preventDefault();
  });

  document.addEventListener('click', (e) => {
    const t = e.target;
    if (!(t instanceof Element)) return;
    if (t.closest('#annotation-form [data-action="cancel"]')) return cancelForm(byId('annotation-form'));
    const folder = t.closest('.tag-fold');
    if (folder) return fold(folder);
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
    const bar = t.closest('#coding-stripes .stripe');
    if (bar) return goTo(bar.dataset.stripe, false);
    const m = /^#h(\d+)$/.exec(t.closest('a.goto')?.hash || '');
    if (m) { e.preventDefault(); return goTo(m[1], false); } // smooth scroll instead of a jump
    const li = t.closest('#annotation-list .annotation-item');
    if (li && !t.closest('a, button, input, select, textarea, label, summary')) goTo(li.dataset.annotation, false);
  });

  /* ---------- coding stripes: one bar per annotation beside the text ---------- */
  // In its first tag's colour, over the lines it spans, side by side where passages
  // overlap, so two codings with the same colour never look like one (as QDA tools do).
  const LANE = 6, MAX_LANES = 5; // px per bar; further overlaps share the last lane
  function drawStripes() {
    const box = byId('coding-stripes'), root = byId('article-text');
    if (!box || !root) return;
    const frame = box.parentElement.getBoundingClientRect();
    const extents = new Map(); // annotation id -> {top, bottom}
    root.querySelectorAll('[data-a]').forEach((seg) => {
      const rects = Array.from(seg.getClientRects());
      if (!rects.length) return;
      const top = Math.min(...rects.map((r) => r.top)), bottom = Math.max(...rects.map((r) => r.bottom));
      idsOf(seg).forEach((id) => {
        const e = extents.get(id) || { top: Infinity, bottom: -Infinity };
        extents.set(id, { top: Math.min(e.top, top), bottom: Math.max(e.bottom, bottom) });
      });
    });
    const firstTag = new Map(codedSpans().map((s) => [String(s.id), s.tags[0]]));
    const laneEnds = [], bars = document.createDocumentFragment();
    const ordered = Array.from(extents.entries()).sort((a, b) => a[1].top - b[1].top || b[1].bottom - a[1].bottom);
    for (const [id, e] of ordered) {
      let lane = laneEnds.findIndex((end) => end <= e.top);
      if (lane < 0) lane = Math.min(laneEnds.length, MAX_LANES - 1);
      laneEnds[lane] = e.bottom + 2;
      const bar = document.createElement('span');
      bar.className = 'stripe' + (firstTag.get(id) ? ' tag-' + firstTag.get(id) : '');
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
  let redraw = 0;
  window.addEventListener('resize', () => { clearTimeout(redraw); redraw = setTimeout(drawStripes, 100); });
  document.fonts?.ready.then(drawStripes);

  /* ---------- hover: a highlight or a stripe -> its sidebar items ---------- */
  // A stripe also lights its passage (a highlight is already under the pointer).
  let hovered = '';
  function setHover(ids, lightText) {
    const key = ids.join(' ') + (lightText ? '+text' : '');
    if (key === hovered) return;
    hovered = key;
    listItems().forEach((li) => li.classList.toggle('hover', ids.includes(li.dataset.annotation)));
    document.querySelectorAll('#article-text [data-a]').forEach((seg) => {
      seg.classList.toggle('stripe-lit', lightText && idsOf(seg).some((id) => ids.includes(id)));
    });
  }
  document.addEventListener('mouseover', (e) => {
    const t = e.target instanceof Element ? e.target : null;
    const seg = t?.closest('#article-text [data-a]'), bar = t?.closest('#coding-stripes .stripe');
    setHover(seg ? idsOf(seg) : bar ? [bar.dataset.stripe] : [], !!bar);
  });
  document.addEventListener('mouseout', (e) => { if (!e.relatedTarget) setHover([]); }); // left the window

  /* ---------- htmx and the location hash ---------- */
  // A write sends the ids the list shows: the server answers with only the changed parts
  // when the list is what it had, and with the whole reader when another coder has
  // written meanwhile.
  document.addEventListener('htmx:configRequest', (e) => {
    if (e.detail.verb !== 'post' || !byId('annotation-list')) return;
    e.detail.parameters.listed = listItems().map((li) => li.dataset.annotation).join(',');
  });
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
    restoreSnapSetting();
    markCurrent();
    hovered = ''; // list items may be new: let the next mouseover re-apply .hover
    drawStripes(); // the text or the list changed
    showSearchHit(); // a swapped paragraph lost its highlight's range
    const form = openForm();
    if (form && !form.style.top) placeBelow(form, null);
  });

  const fromHash = () => { const m = /^#[ha](\d+)$/.exec(window.location.hash); if (m) goTo(m[1], false); };
  window.addEventListener('hashchange', fromHash);

  // After a save the server names the annotation: make it current and bring it into view.
  document.addEventListener('annotationSaved', (e) => {
    if (e.detail && e.detail.id) setTimeout(() => goTo(String(e.detail.id), true), 0);
  });
  // A search result links here with ?hit=start-end (code points) and the text's hash:
  // light that passage up (a CSS highlight: the text's DOM, which offsets are read from,
  // stays as it is). Offsets into a text revised since say nothing: then nothing is lit.
  function showSearchHit() {
    const params = new URLSearchParams(window.location.search);
    const m = /^(\d+)-(\d+)$/.exec(params.get('hit') || '');
    const root = byId('article-text');
    if (!m || !root || !window.CSS || !CSS.highlights) return;
    if (!root.dataset.hash.startsWith(params.get('text') || '-')) return;
    const from = domPoint(root, Number(m[1]), false), to = domPoint(root, Number(m[2]), true);
    if (!from || !to) return;
    const range = document.createRange();
    range.setStart(from[0], from[1]);
    range.setEnd(to[0], to[1]);
    if (!CSS.highlights.has('search-hit')) from[0].parentElement.scrollIntoView({ block: 'center' });
    CSS.highlights.set('search-hit', new Highlight(range));
    return range;
  }
  // "Code it" on a candidate, once when the page opens (not after each swap, which
  // re-lights the hit): the passage selected (adjustable as any selection), the form
  // opened on it with the claim or the tag it is a candidate for.
  function codeCandidate(range) {
    const params = new URLSearchParams(window.location.search);
    const claim = params.get('code-claim'), tag = params.get('code-tag');
    if (!range || !(claim || tag) || !canAnnotate()) return;
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    onSelection(true, false);
    const form = openForm();
    if (form && claim) field(form, 'claim').value = claim;
    const box = form && tag ? form.querySelector(`input[name="tags"][value="${CSS.escape(tag)}"]`) : null;
    if (box && !box.checked) box.click();
  }
  restoreSnapSetting();
  drawStripes();
  codeCandidate(showSearchHit());
  fromHash(); // a deferred script runs after parsing: the DOM is complete
})();
