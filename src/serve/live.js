// hundred serve: reloads this page when its content changes, swaps stylesheets when only CSS
// changed, and shows build errors over the page until the next good rebuild.
(function () {
  var me = document.currentScript;
  var version = Number(me.getAttribute("data-version"));
  var overlay = null;

  function showError(text) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "hundred-error";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;background:rgba(20,20,28,.92);" +
        "color:#fff;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;padding:2rem;overflow:auto;white-space:pre-wrap";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "hundred: the last edit has a problem; showing the last good version.\n\n" + text;
  }

  function hideError() {
    if (overlay) { overlay.remove(); overlay = null; }
  }

  function pageRoute() {
    var p = decodeURIComponent(location.pathname);
    return p.endsWith("/") ? p + "index.html" : p;
  }

  function swapStyles() {
    document.querySelectorAll('link[rel="stylesheet"]').forEach(function (link) {
      var url = new URL(link.href);
      url.searchParams.set("hundred", String(Date.now()));
      link.href = url.toString();
    });
  }

  var initialError = me.getAttribute("data-error");
  if (initialError) {
    if (document.body) showError(initialError);
    else document.addEventListener("DOMContentLoaded", function () { showError(initialError); });
  }

  function poll() {
    // The page's path (in a header, so the URL stays the same) tells the server what this
    // browser shows: an edit renders it first.
    fetch("/__hundred/wait?after=" + version, {
      cache: "no-store",
      headers: { "X-Hundred-Page": encodeURIComponent(location.pathname) },
    })
      .then(function (r) { return r.json(); })
      .then(function (state) {
        if (state.version !== version) {
          version = state.version;
          if (state.error) {
            showError(state.error);
          } else {
            hideError();
            var here = pageRoute();
            var changed = state.changed;
            if (changed.indexOf("*") >= 0 || changed.indexOf(here) >= 0) {
              location.reload();
              return;
            }
            if (changed.some(function (c) { return c.endsWith(".css"); })) swapStyles();
          }
        }
        poll();
      })
      .catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
