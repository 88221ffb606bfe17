/* A counselor's list for a client (/lists/<id>): the Print button. */
(function () {
  "use strict";
  var button = document.getElementById("print");
  if (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  }
})();
