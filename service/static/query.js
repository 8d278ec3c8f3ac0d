// Turns the query text area into a SPARQL editor (syntax highlighting, prefix completion).
// Everything it needs is served by this site: no network access beyond it.
(function () {
  "use strict";
  var textarea = document.getElementById("query");
  if (!textarea || typeof Yasqe === "undefined") {
    return;
  }
  var form = document.getElementById("query-form");
  var holder = document.createElement("div");
  holder.className = "editor";
  textarea.parentNode.insertBefore(holder, textarea);
  textarea.hidden = true;
  // Completion only from what ships with the editor and this project's prefixes:
  // the completers that ask remote services (LOV) are left out.
  var yasqe = new Yasqe(holder, {
    value: textarea.value,
    persistenceId: null,
    showQueryButton: false,
    resizeable: true,
    autocompleters: ["prefixes", "variables"],
    createShareableLink: null, // the page has its own link to the query
  });
  var projectPrefixes = JSON.parse(textarea.dataset.prefixes || "{}");
  var declared = yasqe.getPrefixesFromQuery();
  var missing = {};
  Object.keys(projectPrefixes).forEach(function (name) {
    if (!(name in declared) && yasqe.getValue().indexOf(name + ":") >= 0) {
      missing[name] = projectPrefixes[name];
    }
  });
  if (Object.keys(missing).length) {
    yasqe.addPrefixes(missing);
  }
  form.addEventListener("submit", function () {
    textarea.value = yasqe.getValue();
  });
  yasqe.on("keydown", function (instance, event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      textarea.value = yasqe.getValue();
      form.submit();
    }
  });
})();
