// Page behaviour in a static file, so the Content-Security-Policy can forbid inline script.
document.addEventListener("htmx:beforeSwap", function (event) {
  // Inside [data-swap-errors], a refused change (409, 422) shows its explanation in place.
  var status = event.detail.xhr.status;
  if ((status === 409 || status === 422) && event.target.closest("[data-swap-errors]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

document.addEventListener("htmx:afterRequest", function (event) {
  // A success banner never stays beside a later refusal: once a change is refused, earlier
  // "saved" or "placed" notices on the page no longer describe what the person sees.
  var xhr = event.detail.xhr;
  if (xhr && xhr.status >= 400) {
    document.querySelectorAll('.notice[role="status"], .flashes[role="status"]').forEach(function (element) {
      element.remove();
    });
  }
});
