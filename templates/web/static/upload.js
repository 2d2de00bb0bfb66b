// Upload progress on the import page. The page works without this script: the form posts as
// usual. With it, the file goes by XMLHttpRequest so that a <progress> can show how much has
// been sent; the server answers 204 with the preview's address, and the browser goes there.
(function () {
  "use strict";
  var box = document.getElementById("upload-progress-box");
  var bar = document.getElementById("upload-progress");
  var form = box && box.parentNode.querySelector("form[enctype='multipart/form-data']");
  if (!form || !bar || !window.XMLHttpRequest || !window.FormData) {
    return;
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var request = new XMLHttpRequest();
    var button = form.querySelector("button[type='submit']");
    request.open("POST", form.action);
    request.setRequestHeader("X-Upload-Progress", "1");
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        bar.value = Math.round((100 * e.loaded) / e.total);
      }
    });
    request.addEventListener("load", function () {
      var next = request.getResponseHeader("X-Next");
      if (request.status === 204 && next && next.charAt(0) === "/" && next.charAt(1) !== "/") {
        window.location.assign(next);
      } else {
        form.submit(); // a form error or a refusal: let the server answer the page itself
      }
    });
    request.addEventListener("error", function () {
      form.submit();
    });
    box.hidden = false;
    bar.value = 0;
    if (button) {
      button.disabled = true;
    }
    request.send(new FormData(form));
  });
})();
