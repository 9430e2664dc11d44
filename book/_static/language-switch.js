// The language switch (book/_config.yml, html_js_files): a link on every page to the same
// page in the other edition. The English book lies at the site's root, the Korean one in
// ko/ beside it (scripts/build_korean.sh); Sphinx writes each page's way to its edition's
// root into <html data-content_root>.
(function () {
  function add() {
    var html = document.documentElement;
    var korean = (html.lang || "").slice(0, 2) === "ko";
    var root = new URL(html.dataset.content_root || "./", location.href);
    var page = location.href.slice(root.href.length).split("#")[0];
    if (location.href.indexOf(root.href) !== 0) return;
    var other = new URL(korean ? "../" : "ko/", root).href + page;
    var link = document.createElement("a");
    link.className = "cnnbook-language btn btn-sm";
    link.href = other + location.hash;
    link.hreflang = korean ? "en" : "ko";
    link.lang = korean ? "en" : "ko";
    link.textContent = korean ? "English" : "한국어";
    link.title = korean ? "Read this page in English" : "이 페이지를 한국어로 읽기";
    var bar = document.querySelector(".article-header-buttons") ||
      document.querySelector(".header-article-items__end") || document.body;
    bar.insertBefore(link, bar.firstChild);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", add);
  } else {
    add();
  }
})();
