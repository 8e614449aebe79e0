/* Every page: a request that htmx does not swap (403, 404, 5xx, no connection) is
   reported in the #request-error box of base.html, so a failure is never silent. 422 and
   409 are swapped into the form that caused them (responseHandling in base.html), and so
   is a 403 that names where it goes (HX-Retarget): a refusal with its reason, said where
   the user acted. */
(() => {
  'use strict';
  const FAILURES = {
    403: 'Not allowed: your role in this project may have changed. Reload the page.',
    404: 'This no longer exists: it may have been deleted elsewhere. Reload the page.',
  };
  let timer = null;

  function show(message) {
    const box = document.getElementById('request-error');
    if (!box) return;
    box.textContent = message;
    box.hidden = false;
    clearTimeout(timer);
    timer = setTimeout(() => { box.hidden = true; }, 8000);
  }

  // A read that failed lost nothing; a write that failed saved nothing: say which.
  const outcome = (e) => {
    const verb = (e.detail?.requestConfig?.verb || 'get').toLowerCase();
    return verb === 'get' ? 'nothing was loaded' : 'nothing was saved';
  };

  document.addEventListener('htmx:beforeSwap', (e) => {
    const xhr = e.detail.xhr;
    if (xhr?.status === 403 && xhr.getResponseHeader('HX-Retarget')) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });

  document.addEventListener('htmx:responseError', (e) => {
    const status = e.detail.xhr.status;
    // What was too much, as the app says it (a proxy's own 413 page is HTML: not shown).
    const plain = (e.detail.xhr.getResponseHeader('Content-Type') || '').startsWith('text/plain');
    if (status === 413 && plain) return show(e.detail.xhr.responseText);
    if (status === 413) return show(`This was more than the server accepts; ${outcome(e)}.`);
    show(FAILURES[status] || `The server could not do this (error ${status}); ${outcome(e)}.`);
  });
  document.addEventListener('htmx:sendError', (e) => show(`No connection to the server; ${outcome(e)}.`));
})();
