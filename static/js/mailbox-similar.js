/* The letter form's "similar questions already answered" panel, as the citizen types.
   Progressive enhancement: without this script the panel's button posts the form to a page that shows the
   same results (everything typed kept). With it, the subject and the letter are sent (POST, with the form's
   CSRF token: a letter's text does not belong in a URL) 400 ms after the typing stops, once at least a few
   characters are there; the answer replaces the content of the live region (aria-live="polite"), whose
   height is kept while it updates so the page below does not jump. Links stay in the tab order. */
(function () {
  "use strict";
  var DELAY = 400;

  function item(list, href, title, meta, text) {
    var li = document.createElement("li");
    var link = document.createElement("a");
    link.href = href;
    link.textContent = title;
    li.appendChild(link);
    if (meta) {
      var span = document.createElement("span");
      span.className = "muted";
      span.textContent = " · " + meta;
      li.appendChild(span);
    }
    var p = document.createElement("p");
    p.textContent = text;
    li.appendChild(p);
    list.appendChild(li);
  }

  function group(fragment, heading, entries, fill) {
    if (!entries.length) { return; }
    var h = document.createElement("h3");
    h.className = "similar-heading";
    h.textContent = heading;
    var list = document.createElement("ul");
    list.className = "similar-list";
    entries.forEach(function (entry) { fill(list, entry); });
    fragment.appendChild(h);
    fragment.appendChild(list);
  }

  function message(text) {
    var p = document.createElement("p");
    p.className = "empty";
    p.textContent = text;
    return p;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var panel = document.getElementById("similar-answers");
    var results = document.getElementById("similar-answers-results");
    var form = panel && panel.closest("form");
    if (!panel || !results || !form || !window.fetch || !window.FormData) { return; }
    var subject = form.querySelector("[name=subject]");
    var body = form.querySelector("[name=body]");
    var token = form.querySelector("[name=csrf_token]");
    var mailbox = form.querySelector("[name=mailbox_id]");
    var minLength = parseInt(panel.getAttribute("data-min-length"), 10) || 4;
    var timer = null, last = null, pending = null;
    panel.classList.add("similar-live");  // the script shows results as one types: the button is not needed

    function show(nodes) {
      results.style.minHeight = results.offsetHeight + "px";  // hold the height while the content changes
      while (results.firstChild) { results.removeChild(results.firstChild); }
      results.appendChild(nodes);
      window.requestAnimationFrame(function () { results.style.minHeight = ""; });
    }

    function render(data) {
      var fragment = document.createDocumentFragment();
      group(fragment, panel.getAttribute("data-faqs"), data.faqs || [], function (list, e) {
        item(list, e.url, e.question, e.mailbox, e.answer);
      });
      group(fragment, panel.getAttribute("data-letters"), data.letters || [], function (list, e) {
        item(list, e.url, e.subject, e.department, e.answer);
      });
      if (!fragment.firstChild) {
        fragment.appendChild(message(panel.getAttribute(data.looked ? "data-none" : "data-short")));
      }
      show(fragment);
    }

    function look() {
      var text = (subject.value + " " + body.value).replace(/\s+/g, "");
      var key = subject.value + "\n" + body.value.slice(0, 600) + "\n" + (mailbox ? mailbox.value : "");
      if (key === last) { return; }
      if (text.length < minLength) {
        last = key;
        while (results.firstChild) { results.removeChild(results.firstChild); }
        return;
      }
      last = key;
      var data = new FormData();
      data.append("subject", subject.value);
      data.append("body", body.value.slice(0, 600));
      if (mailbox) { data.append("mailbox_id", mailbox.value); }
      if (token) { data.append("csrf_token", token.value); }
      if (pending && pending.abort) { pending.abort(); }
      pending = window.AbortController ? new window.AbortController() : null;
      panel.setAttribute("aria-busy", "true");
      fetch(panel.getAttribute("data-url"), {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "Accept": "application/json" }, signal: pending ? pending.signal : undefined
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(render, function (error) {
        if (error && error.name === "AbortError") { return; }
        last = null;  // try again at the next change
        show(message(panel.getAttribute("data-failed")));
      }).then(function () { panel.removeAttribute("aria-busy"); });
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(look, DELAY);
    }

    subject.addEventListener("input", later);
    body.addEventListener("input", later);
    if (mailbox) { mailbox.addEventListener("change", later); }
    if ((subject.value + body.value).replace(/\s+/g, "").length >= minLength && !results.firstChild) { later(); }
  });
})();
