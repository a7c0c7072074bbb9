/* Runs before the page is drawn: marks that scripts run, so the phone menu starts closed without a flash.
   Without JavaScript the menu stays a single scrolling row of links. */
document.documentElement.classList.add("js");
