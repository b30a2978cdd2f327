/* hundred: the team site's search box.

   The box in the header ([data-search]) is hidden until this script shows it, so a browser
   without scripts sees no box that cannot work. Nothing is fetched until the box is first
   focused: then Pagefind's own script (pagefind/pagefind.js, beside this site's pages) is
   imported, and it fetches the parts of the index a search needs. Results are links with the
   page's title and a snippet, the words found marked; their text is put in as text.

   Keys: typing searches; Down moves from the box to the results and between them, Up back;
   Escape closes the results and returns to the box. Plain JavaScript, nothing sent anywhere
   but this site's own files. */
(function () {
  "use strict";

  var LABELS = { clients: "Runbook", team: "Team", playbook: "Playbook" };
  var SHOWN = 8;

  function start(box) {
    var root = new URL(box.getAttribute("data-root") || "", document.baseURI);
    var input = box.querySelector("input");
    var panel = box.querySelector(".site-search__panel");
    var status = box.querySelector(".site-search__status");
    var list = box.querySelector(".site-search__results");
    var form = box.querySelector("form");
    var loading = null;
    var asked = 0;
    var timer = null;

    function load() {
      if (!loading) {
        loading = import(new URL("pagefind/pagefind.js", root).href).then(function (pf) {
          // Results' addresses start from this site's root, wherever it is published.
          var options = { baseUrl: root.pathname, excerptLength: 24 };
          return Promise.resolve(pf.options(options)).then(function () {
            return Promise.resolve(pf.init()).then(function () {
              return pf;
            });
          });
        });
        loading.catch(function () {
          loading = null;
        });
      }
      return loading;
    }

    function open(yes) {
      panel.hidden = !yes;
    }

    // A page's address: Pagefind puts the site's root (baseUrl above) in front of the
    // page's folder inside it, so results work under any sub-path.
    function address(url) {
      return new URL(url, root).href;
    }

    // The snippet as nodes: Pagefind's excerpt is escaped text with <mark> around the words
    // found. It is read by an inert parser and only its text and marks are kept.
    function snippet(excerpt) {
      var p = document.createElement("p");
      p.className = "site-search__snippet";
      var parsed = new DOMParser().parseFromString("<p>" + excerpt + "</p>", "text/html");
      var nodes = parsed.body.firstChild ? parsed.body.firstChild.childNodes : [];
      for (var i = 0; i < nodes.length; i++) {
        var n = nodes[i];
        if (n.nodeName === "MARK") {
          var mark = document.createElement("mark");
          mark.textContent = n.textContent;
          p.appendChild(mark);
        } else {
          p.appendChild(document.createTextNode(n.textContent));
        }
      }
      return p;
    }

    function item(data) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.className = "site-search__link";
      a.href = address(data.url);
      var title = document.createElement("span");
      title.className = "site-search__title";
      title.textContent = (data.meta && data.meta.title) || data.url;
      a.appendChild(title);
      var kind = LABELS[data.meta && data.meta.section];
      if (kind) {
        var badge = document.createElement("span");
        badge.className = "site-search__kind";
        badge.textContent = kind;
        a.appendChild(document.createTextNode(" "));
        a.appendChild(badge);
      }
      li.appendChild(a);
      li.appendChild(snippet(data.excerpt || ""));
      return li;
    }

    function search() {
      var term = input.value.trim();
      var mine = ++asked;
      if (!term) {
        list.textContent = "";
        status.textContent = "";
        open(false);
        return;
      }
      open(true);
      status.textContent = "Searching…";
      load()
        .then(function (pf) {
          return pf.search(term);
        })
        .then(function (found) {
          var results = (found && found.results) || [];
          return Promise.all(
            results.slice(0, SHOWN).map(function (r) {
              return r.data();
            })
          ).then(function (data) {
            return { total: results.length, data: data };
          });
        })
        .then(function (got) {
          if (mine !== asked) {
            return;
          }
          list.textContent = "";
          got.data.forEach(function (d) {
            list.appendChild(item(d));
          });
          status.textContent =
            got.total === 0
              ? "Nothing found for “" + term + "”."
              : got.total === 1
              ? "1 page found."
              : got.total > SHOWN
              ? got.total + " pages found; the first " + SHOWN + " are shown."
              : got.total + " pages found.";
        })
        .catch(function () {
          if (mine === asked) {
            list.textContent = "";
            status.textContent = "Search could not be loaded.";
          }
        });
    }

    function links() {
      return Array.prototype.slice.call(list.querySelectorAll("a"));
    }

    input.addEventListener("focus", function () {
      load();
      if (input.value.trim() && list.firstChild) {
        open(true);
      }
    });
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 120);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      window.clearTimeout(timer);
      search();
    });
    box.addEventListener("keydown", function (event) {
      var all = links();
      var at = all.indexOf(document.activeElement);
      if (event.key === "Escape") {
        input.focus();
        open(false);
      } else if (event.key === "ArrowDown" && all.length) {
        event.preventDefault();
        open(true);
        all[Math.min(at + 1, all.length - 1)].focus();
      } else if (event.key === "ArrowUp" && at >= 0) {
        event.preventDefault();
        (at === 0 ? input : all[at - 1]).focus();
      }
    });
    // Clicking or tabbing elsewhere closes the results; they come back on the box's focus.
    document.addEventListener("click", function (event) {
      if (!box.contains(event.target)) {
        open(false);
      }
    });
    box.addEventListener("focusout", function (event) {
      if (event.relatedTarget && !box.contains(event.relatedTarget)) {
        open(false);
      }
    });
    box.hidden = false;
  }

  function ready() {
    var boxes = document.querySelectorAll("[data-search]");
    for (var i = 0; i < boxes.length; i++) {
      start(boxes[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
