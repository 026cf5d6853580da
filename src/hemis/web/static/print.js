/* A "print" button (data-print): shown only where a script can print; the page prints as well
   from the browser's own menu (the print stylesheet leaves only the receipt). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
