// The kiosk's event bus. Everything that happens on screen is announced here as a DOM event
// ("kiosk:panel-view", "kiosk:language", "kiosk:home"...), so that visit logging, the idle reset
// and the offline cache can listen without the navigation code knowing about them.

export function emit(type, detail = {}) {
  document.dispatchEvent(new CustomEvent(`kiosk:${type}`, { detail }));
}

export function on(type, handler) {
  document.addEventListener(`kiosk:${type}`, (event) => handler(event.detail));
}
