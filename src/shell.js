/* hundred: opens a sealed page in the reader's browser (see src/shell.rs).

   The page at this address is a shell: the real page is in the element #hundred-sealed,
   sealed with AES-256-GCM (nonce (12 bytes) + ciphertext + tag (16 bytes), the page's route
   as additional data). This script finds the key, decrypts with WebCrypto and writes the
   real page in place of the shell. Nothing is sent anywhere: the key never leaves the browser.

   Where the key comes from:
   - a client's portal (data-lock="client"): the link's fragment, #k=<base64url>, which the
     browser never sends to the server. It is then kept for this tab (sessionStorage), and on
     this device if the reader ticks "Remember on this device" (localStorage), and handed to
     other tabs of this browser that ask for it, so a page opened in a new tab opens too;
   - the team's site (data-lock="team"): PBKDF2-SHA256 of the passphrase typed into the page.
     Only the derived key is kept for the tab; the passphrase is never stored.

   Every state the script can end in has its words in the shell, hidden; the script only
   chooses which to show, so a failure shows plain words, never a stack trace or a blank page. */
(function () {
  "use strict";

  // Tabs ask each other for keys on this channel (same origin only, as storage is).
  const CHANNEL = "hundred-keys";
  // How long a tab waits for another to answer: long enough for a busy tab, short enough
  // that a reader without the link sees the explanation at once.
  const ASK_MS = 300;
  // The lock parameters this script understands (data-scheme).
  const SCHEME = "v1";
  const NONCE_BYTES = 12;
  const TAG_BYTES = 16;
  const KEY_BYTES = 32;
  // Sealed files a page links to, and the type they open as.
  const FILE_TYPES = new Map([
    ["pdf", "application/pdf"],
    ["csv", "text/csv"],
  ]);
  // The shell's sections; showing one hides the others.
  const STATES = ["opening", "missing", "wrong", "insecure", "failed", "unlock"];
  // States in which the reader needs the firm's contact details.
  const NEED_CONTACT = new Set(["missing", "wrong", "insecure", "failed"]);
  // An object URL for a file lives this long: enough for the browser to start the download.
  const REVOKE_MS = 60000;

  // What this page holds, read before the page is replaced.
  const data = document.getElementById("hundred-sealed");
  // Channels answering other tabs: kept here so that they live as long as the page.
  const answering = [];

  function byId(id) {
    return document.getElementById(id);
  }

  function show(state) {
    for (const name of STATES) {
      const section = byId("hundred-" + name);
      if (section) {
        section.hidden = name !== state;
      }
    }
    const contact = byId("hundred-contact");
    if (contact) {
      contact.hidden = !NEED_CONTACT.has(state);
    }
  }

  // A failure nobody planned for: the shell's own words while it is still shown, else a
  // line on top of the written page.
  function fail() {
    if (byId("hundred-failed")) {
      show("failed");
    } else {
      notice("Part of this page could not be opened. Reload the page to try again.");
    }
  }

  // ---- Storage. Reading `window.localStorage` itself throws where storage is blocked;
  // then keys are simply not kept.

  function store(kind) {
    try {
      return window[kind] || null;
    } catch (_) {
      return null;
    }
  }

  function load(kind, name) {
    try {
      const s = store(kind);
      return s ? s.getItem(name) : null;
    } catch (_) {
      return null;
    }
  }

  function save(kind, name, value) {
    try {
      const s = store(kind);
      if (s) {
        s.setItem(name, value);
      }
    } catch (_) {
      // Full or blocked storage: the page still opens, the key is just not kept.
    }
  }

  function forget(kind, name) {
    try {
      const s = store(kind);
      if (s) {
        s.removeItem(name);
      }
    } catch (_) {
      // Nothing kept, nothing to forget.
    }
  }

  // ---- Bytes.

  // Standard or URL-safe base64, with or without padding; throws when malformed.
  function fromBase64(text) {
    let s = String(text).replace(/\s+/g, "").replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4 !== 0) {
      s += "=";
    }
    const binary = atob(s);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes;
  }

  function toBase64(bytes) {
    let binary = "";
    for (let i = 0; i < bytes.length; i++) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary);
  }

  function utf8(text) {
    return new TextEncoder().encode(text);
  }

  // ---- Cipher.

  async function importKey(raw) {
    if (raw.length !== KEY_BYTES) {
      throw new Error("not a 256-bit key");
    }
    return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["decrypt"]);
  }

  // The plaintext of `sealed` for `route`; throws when the key or route is not the one it
  // was sealed with, or the bytes were changed.
  async function decrypt(key, sealed, route) {
    if (sealed.length < NONCE_BYTES + TAG_BYTES) {
      throw new Error("too short to be sealed");
    }
    const plain = await crypto.subtle.decrypt(
      {
        name: "AES-GCM",
        iv: sealed.subarray(0, NONCE_BYTES),
        additionalData: utf8(route),
      },
      key,
      sealed.subarray(NONCE_BYTES),
    );
    return new Uint8Array(plain);
  }

  // The key and the page it opens, or null for a malformed or wrong key: to the reader
  // both mean "this link does not open the page".
  async function unseal(raw, sealed, route) {
    try {
      const key = await importKey(raw);
      return { key, plain: await decrypt(key, sealed, route) };
    } catch (_) {
      return null;
    }
  }

  async function teamKey(passphrase, salt, iterations) {
    const material = await crypto.subtle.importKey("raw", utf8(passphrase), "PBKDF2", false, [
      "deriveBits",
    ]);
    const bits = await crypto.subtle.deriveBits(
      { name: "PBKDF2", hash: "SHA-256", salt, iterations },
      material,
      KEY_BYTES * 8,
    );
    return new Uint8Array(bits);
  }

  // ---- Other tabs.

  // Another open tab's key for `scope`, or null when none answers in time.
  function askOtherTabs(scope) {
    return new Promise((resolve) => {
      if (typeof BroadcastChannel !== "function") {
        resolve(null);
        return;
      }
      let channel;
      try {
        channel = new BroadcastChannel(CHANNEL);
      } catch (_) {
        resolve(null);
        return;
      }
      let settled = false;
      const settle = (key) => {
        if (settled) {
          return;
        }
        settled = true;
        clearTimeout(timer);
        try {
          channel.close();
        } catch (_) {
          // Already closed.
        }
        resolve(key);
      };
      const timer = setTimeout(() => settle(null), ASK_MS);
      channel.onmessage = (event) => {
        const m = event.data;
        if (m && m.type === "key" && m.scope === scope && typeof m.key === "string" && m.key) {
          settle(m.key);
        }
      };
      try {
        channel.postMessage({ type: "ask", scope });
      } catch (_) {
        settle(null);
      }
    });
  }

  // Give this page's key to other tabs of this browser that ask for the same lock.
  function answerOtherTabs(scope, keyText) {
    if (typeof BroadcastChannel !== "function") {
      return;
    }
    try {
      const channel = new BroadcastChannel(CHANNEL);
      channel.onmessage = (event) => {
        const m = event.data;
        if (m && m.type === "ask" && m.scope === scope) {
          channel.postMessage({ type: "key", scope, key: keyText });
        }
      };
      answering.push(channel);
    } catch (_) {
      // No channel: other tabs need the link, as they would without this.
    }
  }

  // ---- Writing the page.

  function whenLoaded() {
    // Replacing the document while the shell is still loading would abort its loading
    // half-way; the shell has nothing to fetch, so this is a matter of moments.
    if (document.readyState === "complete") {
      return Promise.resolve();
    }
    return new Promise((resolve) => window.addEventListener("load", () => resolve(), { once: true }));
  }

  function whenParsed(fn) {
    // A written page with a blocking script is still being parsed after document.close().
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn, { once: true });
    } else {
      fn();
    }
  }

  // Replace the shell by the real page. document.open() keeps this window (and so this
  // script's closure) but drops every listener on the document and window: whatever the
  // page needs from this script is added after, by `afterWrite`.
  function write(plain) {
    const html = new TextDecoder().decode(plain);
    document.open();
    document.write(html);
    document.close();
    completeLoad();
  }

  // Chrome finishes a page written after the shell's own `load` (readyState "complete")
  // without firing `load` at the window again; a theme's script waiting for it would never
  // run. Fire one when the written page is complete, unless the browser did.
  function completeLoad() {
    let loaded = false;
    window.addEventListener("load", () => (loaded = true), { once: true, capture: true });
    const fire = () =>
      setTimeout(() => {
        if (!loaded) {
          window.dispatchEvent(new Event("load"));
        }
      }, 0);
    if (document.readyState === "complete") {
      fire();
    } else {
      const onChange = () => {
        if (document.readyState === "complete") {
          document.removeEventListener("readystatechange", onChange);
          fire();
        }
      };
      document.addEventListener("readystatechange", onChange);
    }
  }

  // A line on top of the written page, for a failure after it is shown. Text only: no alert
  // box, no error details.
  function notice(text) {
    const parent = document.body || document.documentElement;
    if (!parent) {
      return;
    }
    let box = byId("hundred-notice");
    if (!box) {
      box = document.createElement("div");
      box.id = "hundred-notice";
      box.setAttribute("role", "alert");
      box.style.cssText =
        "position:sticky;top:0;z-index:2147483647;margin:0;padding:.75rem 1rem;" +
        "background:#fff4e5;color:#3d2800;border-bottom:1px solid #e0a040;font:inherit;";
      const words = document.createElement("span");
      const close = document.createElement("button");
      close.type = "button";
      close.textContent = "Dismiss";
      close.style.cssText = "margin-left:1rem;font:inherit;";
      close.addEventListener("click", () => box.remove());
      box.append(words, close);
      parent.prepend(box);
    }
    box.firstChild.textContent = text;
  }

  // ---- After the page is written.

  // The lock's folder: links under it may be sealed files of the same lock.
  function folderOf(root) {
    return new URL(root || "./", location.href);
  }

  // What a link points to, when it is a sealed file of this lock: its address, the route it
  // was sealed with (its path under the folder, as written on disk), a file name and a type.
  function sealedFile(link, folder) {
    const href = link.getAttribute("href");
    if (!href) {
      return null;
    }
    let url;
    try {
      url = new URL(href, document.baseURI);
    } catch (_) {
      return null;
    }
    if (
      (url.protocol !== "https:" && url.protocol !== "http:") ||
      url.origin !== folder.origin ||
      !url.pathname.startsWith(folder.pathname)
    ) {
      return null;
    }
    const path = url.pathname;
    const type = FILE_TYPES.get(path.slice(path.lastIndexOf(".") + 1).toLowerCase());
    if (!type || path.endsWith("/")) {
      return null;
    }
    let route;
    try {
      route = decodeURIComponent(path.slice(folder.pathname.length));
    } catch (_) {
      return null;
    }
    url.hash = "";
    return { url: url.href, route, name: route.slice(route.lastIndexOf("/") + 1), type };
  }

  async function download(file, key) {
    const response = await fetch(file.url, { credentials: "same-origin" });
    if (!response.ok) {
      throw new Error("HTTP " + response.status);
    }
    const plain = await decrypt(key, new Uint8Array(await response.arrayBuffer()), file.route);
    const url = URL.createObjectURL(new Blob([plain], { type: file.type }));
    const a = document.createElement("a");
    a.href = url;
    a.download = file.name;
    a.hidden = true;
    (document.body || document.documentElement).append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), REVOKE_MS);
  }

  // Links to sealed files: fetched, opened here and handed over as a plain file; the
  // server's copy is unreadable on its own.
  function openSealedLinks(key, folder) {
    document.addEventListener("click", (event) => {
      if (event.defaultPrevented || event.button !== 0) {
        return;
      }
      const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
      const file = link ? sealedFile(link, folder) : null;
      if (!file) {
        return;
      }
      event.preventDefault();
      download(file, key).catch(() =>
        notice("“" + file.name + "” could not be opened. Reload the page and try again."),
      );
    });
  }

  // "Remember on this device": the portal's checkbox keeps the key in localStorage, so the
  // page opens without the link after the browser is closed.
  function wireRemember(name, keyText) {
    const box = byId("hundred-remember");
    if (!(box instanceof HTMLInputElement) || box.type !== "checkbox") {
      return;
    }
    const sync = () => {
      box.checked = load("localStorage", name) === keyText;
    };
    sync();
    box.addEventListener("change", () => {
      if (box.checked) {
        save("localStorage", name, keyText);
      } else {
        forget("localStorage", name);
      }
      // Shows what was kept, should storage have refused.
      sync();
    });
  }

  function afterWrite(opened, lock) {
    openSealedLinks(opened.key, lock.folder);
    answerOtherTabs(lock.scope, lock.keyText);
    if (lock.remember) {
      whenParsed(() => {
        try {
          wireRemember(lock.sessionName, lock.keyText);
        } catch (_) {
          // The page is shown; only the checkbox does nothing.
        }
      });
    }
  }

  function render(opened, lock) {
    save("sessionStorage", lock.sessionName, lock.keyText);
    write(opened.plain);
    afterWrite(opened, lock);
  }

  // ---- The client's portal.

  // The key in the link's fragment: `#k=KEY`, or `k=KEY` among other `&`-separated parts.
  // An empty value counts as given: a link cut short there is a wrong link, not a missing one.
  function fragmentKey() {
    const parts = location.hash.replace(/^#/, "").split("&");
    for (const part of parts) {
      if (part.startsWith("k=")) {
        return part.slice(2);
      }
    }
    return null;
  }

  // The key is kept; the address bar, history and anything the reader copies from it no
  // longer show it.
  function dropFragment() {
    try {
      history.replaceState(history.state, "", location.pathname + location.search);
    } catch (_) {
      // The key stays visible in the address bar; the page opens anyway.
    }
  }

  async function openClient(sealed, route, folder) {
    const token = data.dataset.token || "";
    const name = "hundred:key:" + token;
    let keyText = fragmentKey();
    if (keyText !== null) {
      save("sessionStorage", name, keyText);
      dropFragment();
    } else {
      keyText =
        load("sessionStorage", name) ||
        load("localStorage", name) ||
        (await askOtherTabs("client:" + token)) ||
        null;
    }
    if (keyText === null) {
      show("missing");
      return;
    }
    let raw;
    try {
      raw = fromBase64(keyText);
    } catch (_) {
      raw = new Uint8Array(0);
    }
    const opened = await unseal(raw, sealed, route);
    if (!opened) {
      // A kept key that does not open the page would fail on every page: drop it.
      forget("sessionStorage", name);
      forget("localStorage", name);
      show("wrong");
      return;
    }
    await whenLoaded();
    render(opened, { folder, scope: "client:" + token, keyText, sessionName: name, remember: true });
  }

  // ---- The team's site.

  async function openTeam(sealed, route, folder) {
    const site = data.dataset.site || "";
    const salt = fromBase64(data.dataset.salt || "");
    const iterations = Number(data.dataset.iterations);
    if (!Number.isInteger(iterations) || iterations < 1) {
      throw new Error("bad iteration count");
    }
    const name = "hundred:team:" + site;
    const scope = "team:" + site;
    const lock = (keyText) => ({ folder, scope, keyText, sessionName: name, remember: false });

    const kept = load("sessionStorage", name) || (await askOtherTabs(scope));
    if (kept) {
      let raw;
      try {
        raw = fromBase64(kept);
      } catch (_) {
        raw = new Uint8Array(0);
      }
      const opened = await unseal(raw, sealed, route);
      if (opened) {
        await whenLoaded();
        render(opened, lock(kept));
        return;
      }
      // A key from before the passphrase changed: ask for the new one.
      forget("sessionStorage", name);
    }
    askPassphrase(sealed, route, salt, iterations, lock);
  }

  function askPassphrase(sealed, route, salt, iterations, lock) {
    const form = byId("hundred-unlock");
    const input = byId("hundred-passphrase");
    const status = byId("hundred-unlock-status");
    const button = form ? form.querySelector("button") : null;
    if (!form || !input || !status || !button) {
      throw new Error("no passphrase form");
    }
    show("unlock");
    input.focus();
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (button.disabled) {
        return;
      }
      button.disabled = true;
      status.textContent = "Unlocking…";
      try {
        // Trimmed as the build trims the passphrase it was given.
        const raw = await teamKey(input.value.trim(), salt, iterations);
        const opened = await unseal(raw, sealed, route);
        if (!opened) {
          status.textContent = "That passphrase does not unlock this site.";
          button.disabled = false;
          input.focus();
          input.select();
          return;
        }
        input.value = "";
        await whenLoaded();
        render(opened, lock(toBase64(raw)));
      } catch (_) {
        fail();
      }
    });
  }

  // ---- Start.

  async function main() {
    if (!data) {
      throw new Error("no sealed page");
    }
    if (!window.crypto || !crypto.subtle) {
      // WebCrypto exists only in secure contexts: https, or http on this computer.
      show(window.isSecureContext === false ? "insecure" : "failed");
      return;
    }
    if (data.dataset.scheme !== SCHEME) {
      throw new Error("unknown scheme");
    }
    const route = data.dataset.route || "";
    const folder = folderOf(data.dataset.root);
    const sealed = fromBase64(data.textContent);
    if (data.dataset.lock === "client") {
      await openClient(sealed, route, folder);
    } else if (data.dataset.lock === "team") {
      await openTeam(sealed, route, folder);
    } else {
      throw new Error("unknown lock");
    }
  }

  try {
    main().catch(fail);
  } catch (_) {
    fail();
  }
})();
