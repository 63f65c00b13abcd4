// The live interview page: new transcript entries arrive as server-sent events and are added in order.
// Without this script (or without EventSource) the page works by its "refresh" link.
(function () {
  "use strict";
  function start() {
    var section = document.querySelector(".interview-transcript[data-stream]");
    if (!section || !window.EventSource) { return; }
    var list = section.querySelector(".transcript");
    var note = section.querySelector(".live-note");
    var url = section.getAttribute("data-stream") + "?after=" + section.getAttribute("data-last-entry");
    var source = new EventSource(url);
    source.addEventListener("entry", function (event) {
      var id = event.lastEventId;
      if (id && document.getElementById("entry-" + id)) { return; }  // already on the page
      list.insertAdjacentHTML("beforeend", event.data);
      var empty = section.querySelector(".empty");
      if (empty) { empty.remove(); }
    });
    source.addEventListener("status", function () {
      source.close();
      if (note) { note.textContent = note.getAttribute("data-ended-text"); }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
