// Tell the server the browser's time zone (the `tz` cookie), so times are shown in
// the interviewer's zone when their account does not name one
// (accounts.middleware.UserTimezoneMiddleware reads it on the next request).
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  // IANA names ("America/New_York", "Etc/GMT+5") are valid cookie text as they are;
  // the server reads the cookie verbatim, so it is not %-encoded.
  if (!zone || !/^[A-Za-z0-9_+\-\/]+$/.test(zone)) return;
  var match = document.cookie.match(/(?:^|;\s*)tz=([^;]*)/);
  if (match && match[1] === zone) return;
  var secure = location.protocol === "https:" ? "; secure" : "";
  document.cookie = "tz=" + zone + "; path=/; max-age=31536000; samesite=lax" + secure;
})();
