/* Open-day check-in: scan the QR code with the device camera where the browser offers BarcodeDetector.
   Progressive enhancement only: without it (or without a camera) the officer types the code. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("checkin-form");
    var box = document.getElementById("checkin-scanner");
    if (!form || !box || !("BarcodeDetector" in window) || !navigator.mediaDevices ||
        !navigator.mediaDevices.getUserMedia) {
      return;
    }
    var input = form.querySelector("input[name=code]");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button secondary";
    button.textContent = form.getAttribute("data-scan-label") || box.getAttribute("data-label") || "📷";
    button.setAttribute("aria-controls", "checkin-scanner");
    form.appendChild(document.createTextNode(" "));
    form.appendChild(button);

    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    var stream = null;

    function stop() {
      if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
      box.hidden = true;
      box.textContent = "";
    }

    button.addEventListener("click", function () {
      if (stream) { stop(); return; }
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (s) {
        stream = s;
        var video = document.createElement("video");
        video.setAttribute("playsinline", "");
        video.muted = true;
        video.srcObject = s;
        video.className = "checkin-video";
        box.appendChild(video);
        box.hidden = false;
        video.play();
        (function scan() {
          if (!stream) { return; }
          detector.detect(video).then(function (codes) {
            if (codes.length && codes[0].rawValue) {
              input.value = codes[0].rawValue;
              stop();
              form.submit();
            } else {
              window.requestAnimationFrame(scan);
            }
          }, function () { window.requestAnimationFrame(scan); });
        })();
      }, function () { stop(); });
    });
  });
})();
