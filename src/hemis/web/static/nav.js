/* The main menu folds behind a button on narrow screens. Without this script the menu simply
   stays open (the button stays hidden), so every page works without JavaScript. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var nav = document.getElementById("main-nav");
    var button = nav && nav.querySelector(".nav-toggle");
    if (!button) { return; }
    nav.classList.add("nav-foldable");
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("nav-open", open);
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && nav.classList.contains("nav-open")) {
        nav.classList.remove("nav-open");
        button.setAttribute("aria-expanded", "false");
        button.focus();
      }
    });
  });
})();
