// Clerk sign-in and sign-out for the server-rendered pages.
//
// No inline scripts (the Content-Security-Policy forbids them): the page marks an
// element with data-clerk-action and this file does the rest.
//   sign-in             mount Clerk's <SignIn/>; once Clerk has a session, post its
//                       session token to /auth/clerk/ (a plain form with the CSRF
//                       token), which opens the Django session.
//   sign-out            after Django's logout: end the Clerk session, go on.
//   sign-out-button     the same, when the button is clicked.
(function () {
  "use strict";

  const target = document.querySelector("[data-clerk-action]");
  if (!target) return;

  async function loadClerk() {
    if (!window.Clerk) throw new Error("Clerk's script did not load");
    if (!window.Clerk.loaded) {
      // clerk-js 6 takes its components from @clerk/ui, loaded from our static files.
      // Telemetry off: it would go to a third host the CSP (rightly) does not admit.
      await window.Clerk.load({
        ui: { ClerkUI: window.__internal_ClerkUICtor },
        telemetry: { disabled: true },
      });
    }
    return window.Clerk;
  }

  let posting = false;
  async function postSessionToken(clerk) {
    if (posting || !clerk.session) return;
    posting = true;
    // Clerk's session tokens live about a minute: fetch a fresh one and use it now.
    const token = await clerk.session.getToken();
    const form = document.getElementById("clerk-token-form");
    form.elements.token.value = token;
    form.submit();
  }

  async function signIn() {
    const clerk = await loadClerk();
    if (clerk.session) {
      // Already signed in with Clerk (e.g. sent back here by Clerk after sign-in).
      await postSessionToken(clerk);
      return;
    }
    clerk.addListener(function (resources) {
      if (resources.session) postSessionToken(clerk);
    });
    const back = new URL(target.dataset.returnUrl || window.location.href, window.location.href).href;
    clerk.mountSignIn(target, { forceRedirectUrl: back, signUpForceRedirectUrl: back });
  }

  async function signOut(nextUrl) {
    try {
      const clerk = await loadClerk();
      await clerk.signOut();
    } catch (err) {
      console.error("Clerk sign-out failed", err);
    } finally {
      window.location.assign(nextUrl);
    }
  }

  const action = target.dataset.clerkAction;
  if (action === "sign-in") {
    signIn().catch(function (err) {
      console.error("Clerk sign-in failed to start", err);
      target.textContent = "Clerk sign-in could not be loaded. Reload the page to try again.";
    });
  } else if (action === "sign-out") {
    signOut(target.dataset.nextUrl || "/");
  } else if (action === "sign-out-button") {
    target.addEventListener("click", function () {
      target.disabled = true;
      signOut(target.dataset.nextUrl || "/");
    });
  }
})();
