// The verify page's file check: the SHA-256 of a chosen file, computed in the browser and compared
// with the fingerprints the page lists (a JSON data block, id "known"); the file is never sent.
(function () {
  const known = JSON.parse(document.getElementById("known").textContent);
  const input = document.getElementById("berkas"), out = document.getElementById("hasil");
  input.addEventListener("change", async function () {
    const file = input.files[0];
    if (!file) return;
    if (!window.crypto || !crypto.subtle) {
      out.className = "no"; out.dataset.result = "unsupported";
      out.textContent = "Peramban ini tidak dapat menghitung sidik jari di halaman ini (perlu HTTPS).";
      return;
    }
    out.className = ""; out.dataset.result = "working"; out.textContent = "Menghitung sidik jari…";
    const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
    const hex = Array.from(new Uint8Array(digest), b => b.toString(16).padStart(2, "0")).join("");
    const match = known[hex];
    out.className = match ? "ok" : "no";
    out.textContent = (match ? match.text : "Tidak cocok: berkas ini BUKAN berkas yang diterbitkan maupun " +
      "salinan bertanda tangan dari dokumen ini (mungkin diubah).") + " SHA-256: " + hex;
    out.dataset.result = match ? match.kind : "unknown";
  });
})();
