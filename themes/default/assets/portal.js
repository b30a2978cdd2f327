/* hundred: keeps a welcome page's day counter current, and makes copy buttons copy.

   A portal page is built on one day and read on many others. Built, it says which day of the
   journey it was on the build date ("as of ..."). This script counts the days from the start
   date instead, in the reader's own calendar, every time the page is shown (and again after
   midnight if it stays open), then shows the parts of the page meant for that day and hides
   the "as of" words. Without it the page stays as built, and still true.

   What it reads and writes, inside an element with data-day-since="YYYY-MM-DD" (day 1):
     data-phase="before first beyond"  shown only in those phases: before day 1, days 1 to 100,
                                       after day 100 (a space-separated list);
     data-day                          the number in its text becomes the day's;
     data-day-meter                    its width becomes the share of the first hundred days;
     data-as-of                        hidden once the day is counted here.
   Plain JavaScript, no libraries, nothing sent anywhere. */
(function () {
  "use strict";

  var MS_PER_DAY = 86400000;
  var timer = null;

  // Days since 1970-01-01 of a calendar date, whatever the time zone or daylight saving.
  function dayNumber(year, month, day) {
    return Math.round(Date.UTC(year, month - 1, day) / MS_PER_DAY);
  }

  function parse(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    return m ? dayNumber(Number(m[1]), Number(m[2]), Number(m[3])) : null;
  }

  function each(root, selector, fn) {
    var found = root.querySelectorAll(selector);
    for (var i = 0; i < found.length; i++) {
      fn(found[i]);
    }
  }

  function update() {
    var now = new Date();
    var today = dayNumber(now.getFullYear(), now.getMonth() + 1, now.getDate());
    each(document, "[data-day-since]", function (root) {
      var start = parse(root.getAttribute("data-day-since"));
      if (start === null) {
        return;
      }
      var day = today - start + 1;
      var phase = day < 1 ? "before" : day <= 100 ? "first" : "beyond";
      each(root, "[data-phase]", function (el) {
        var phases = " " + el.getAttribute("data-phase") + " ";
        el.hidden = phases.indexOf(" " + phase + " ") < 0;
      });
      if (day >= 1) {
        each(root, "[data-day]", function (el) {
          el.textContent = el.textContent.replace(/\d+/, String(day));
        });
        each(root, "[data-day-meter]", function (el) {
          el.style.width = Math.min(day, 100) + "%";
        });
      }
      each(root, "[data-as-of]", function (el) {
        el.hidden = true;
      });
    });
    // Count again just after the reader's next midnight.
    var midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
    window.clearTimeout(timer);
    timer = window.setTimeout(update, midnight.getTime() - now.getTime() + 1000);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", update);
  } else {
    update();
  }
  // A page brought back from the browser's history cache may be from another day.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      update();
    }
  });
})();

/* Copy buttons (the internal site's "Copy" beside a client's portal link): a button with
   data-copy="TEXT" puts TEXT on the clipboard and says "Copied" for a moment. The clipboard
   API needs a secure context (https, localhost); elsewhere a selected text area is copied. */
(function () {
  "use strict";

  function copied(button) {
    var label = button.innerHTML;
    button.textContent = "Copied";
    window.setTimeout(function () {
      button.innerHTML = label;
    }, 1500);
  }

  function copyBySelection(text, button) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try {
      if (document.execCommand("copy")) {
        copied(button);
      }
    } catch (e) {
      /* Nothing to copy with: the link stays on the page to select by hand. */
    }
    area.remove();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) {
      return;
    }
    var text = button.getAttribute("data-copy");
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () {
          copied(button);
        },
        function () {
          copyBySelection(text, button);
        }
      );
    } else {
      copyBySelection(text, button);
    }
  });
})();
