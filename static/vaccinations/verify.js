// R-VP-5: checks a vaccination certificate in the browser with the published keys, so
// that the page works offline once loaded; without keys (never loaded) or without
// JavaScript the form posts to the server, which gives the same verdict. Nothing about
// the holder leaves the page or is stored.
(function () {
  "use strict";
  const form = document.querySelector("[data-verify-form]");
  if (!form || !window.crypto || !crypto.subtle || !window.DecompressionStream) return;
  const text = form.querySelector("textarea[name=certificate]");
  const area = document.querySelector("[data-verdict-area]");
  const offline = document.querySelector("[data-offline]");
  const words = document.querySelector("template[data-messages]").dataset;
  const STORE = "ashyq-verify";

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(form.action.replace(/\/?$/, "/") + "sw.js", { scope: new URL(form.action).pathname }).catch(() => {});
  }

  async function fetchJson(url) {
    const response = await fetch(url, { cache: "no-cache" });
    if (!response.ok) throw new Error(response.status);
    return response.json();
  }

  // The keys and revocations: fresh from the server, else the copy kept from last time.
  async function trust() {
    let stored = null;
    try { stored = JSON.parse(localStorage.getItem(STORE) || "null"); } catch (e) { stored = null; }
    try {
      const keys = await fetchJson(form.action + "keys.json");
      const revoked = await fetchJson(form.action + "revoked.json");
      stored = { keys: keys.keys, revoked: revoked.revoked, at: revoked.at };
      localStorage.setItem(STORE, JSON.stringify(stored));
    } catch (e) { /* offline: the kept copy */ }
    return stored;
  }

  const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
  function base45(input) {  // RFC 9285
    const out = [];
    for (let i = 0; i < input.length; i += 3) {
      const chunk = [...input.slice(i, i + 3)].map((ch) => {
        const value = ALPHABET.indexOf(ch);
        if (value < 0) throw new Error("base45");
        return value;
      });
      const n = chunk[0] + chunk[1] * 45 + (chunk.length === 3 ? chunk[2] * 2025 : 0);
      if (chunk.length === 3) {
        if (n > 0xffff) throw new Error("base45");
        out.push(n >> 8, n & 0xff);
      } else if (chunk.length === 2) {
        if (n > 0xff) throw new Error("base45");
        out.push(n);
      } else throw new Error("base45");
    }
    return new Uint8Array(out);
  }

  async function inflate(bytes) {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  const decoder = new CBOR.Decoder({ mapsAsObjects: false, useRecords: false });
  const encoder = new CBOR.Encoder({ useRecords: false, mapsAsObjects: true });
  const b64 = (bytes) => btoa(String.fromCharCode(...bytes));
  const get = (map, key) => (map instanceof Map ? map.get(key) : map && map[key]);

  async function check(raw, stored) {
    const cleaned = raw.trim().replace(/[\r\n\t]+/g, "");  // spaces are base45 characters
    let sign1;
    try {
      if (!/^HC1:/i.test(cleaned)) throw new Error("prefix");
      let cose = decoder.decode(await inflate(base45(cleaned.slice(4))));
      if (cose && cose.tag === 18) cose = cose.value;
      if (!Array.isArray(cose) || cose.length !== 4) throw new Error("cose");
      sign1 = cose;
    } catch (e) {
      return { state: "not_authentic", problem: "unreadable" };
    }
    const [protectedBytes, unprotected, payload, signature] = sign1;
    const header = protectedBytes.length ? decoder.decode(protectedBytes) : new Map();
    const kid = get(header, 4) || get(unprotected, 4);
    const jwk = kid && stored.keys.find((key) => key.kid === b64(kid));
    if (!jwk) return { state: "not_authentic", problem: "unknown_key" };
    if (get(header, 1) !== -7) return { state: "not_authentic", problem: "signature" };
    const key = await crypto.subtle.importKey(
      "jwk", { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y, ext: true },
      { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
    const signed = encoder.encode(["Signature1", protectedBytes, new Uint8Array(0), payload]);
    const valid = await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, signature, signed);
    if (!valid) return { state: "not_authentic", problem: "signature" };
    const claims = decoder.decode(payload);
    const dcc = get(get(claims, -260), 1);
    const verdict = {
      payload: dcc, issued: new Date(get(claims, 6) * 1000), expires: new Date(get(claims, 4) * 1000),
    };
    if (verdict.expires <= new Date()) return { ...verdict, state: "not_authentic", problem: "expired" };
    const ids = (get(dcc, "v") || []).map((dose) => get(dose, "ci"));
    if (ids.some((id) => stored.revoked.includes(id))) return { ...verdict, state: "revoked" };
    return { ...verdict, state: "authentic" };
  }

  function line(list, term, value) {
    const dt = document.createElement("dt"); dt.textContent = term;
    const dd = document.createElement("dd"); dd.textContent = value;
    list.append(dt, dd);
  }

  function show(verdict, stored) {
    const section = document.createElement("section");
    section.className = "verdict verdict-" + verdict.state;
    section.dataset.verdict = verdict.state;
    section.setAttribute("role", "status");
    const word = document.createElement("p");
    word.className = "verdict-word";
    word.textContent = { authentic: words.authentic, revoked: words.revoked }[verdict.state] || words.notAuthentic;
    section.append(word);
    if (verdict.problem) {
      const why = document.createElement("p");
      why.textContent = { unreadable: words.unreadable, unknown_key: words.unknownKey, signature: words.signature,
        expired: words.expired }[verdict.problem];
      section.append(why);
    }
    if (verdict.payload) {
      const dcc = verdict.payload, name = get(dcc, "nam");
      const list = document.createElement("dl");
      list.className = "facts";
      line(list, words.name, [get(name, "fn"), get(name, "gn")].filter(Boolean).join(" "));
      line(list, words.birth, get(dcc, "dob"));
      for (const dose of get(dcc, "v") || []) {
        line(list, get(dose, "mp"), `${words.dose} ${get(dose, "dn")} ${words.of} ${get(dose, "sd")}, ${get(dose, "dt")}`);
      }
      line(list, words.issued, verdict.issued.toLocaleString());
      line(list, words.expires, verdict.expires.toLocaleDateString());
      section.append(list);
    }
    const note = document.createElement("p");
    note.className = "muted";
    note.dataset.checkedIn = "browser";
    note.textContent = words.inBrowser + " " + words.keysAt + " " + new Date(stored.at).toLocaleString();
    section.append(note);
    area.replaceChildren(section);
  }

  let stored = null;
  const ready = trust().then((value) => {
    stored = value;
    if (stored) {
      offline.textContent = words.inBrowser;
      offline.hidden = false;
    }
  });

  form.addEventListener("submit", async (event) => {
    if (!stored) return;  // no keys yet: the server checks
    event.preventDefault();
    await ready;
    show(await check(text.value, stored), stored);
  });

  // Scanning with the camera, where the browser can read QR codes itself.
  const scan = form.querySelector("[data-scan]");
  if ("BarcodeDetector" in window && navigator.mediaDevices) {
    scan.hidden = false;
    scan.addEventListener("click", async () => {
      const video = form.querySelector("[data-camera]");
      const camera = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      video.srcObject = camera; video.hidden = false; await video.play();
      const detector = new BarcodeDetector({ formats: ["qr_code"] });
      const look = async () => {
        const found = await detector.detect(video).catch(() => []);
        if (found.length) {
          camera.getTracks().forEach((track) => track.stop());
          video.hidden = true;
          text.value = found[0].rawValue;
          form.requestSubmit();
        } else requestAnimationFrame(look);
      };
      look();
    });
  }
})();
