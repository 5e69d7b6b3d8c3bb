// WeChat share cards (only on a site configured with WECHAT_APP_ID and WECHAT_SIGNATURE_URL).
// WeChat's own browser ignores Open Graph tags: a shared page gets its card from the JS-SDK. Inside
// WeChat only, this loads the SDK from the configured address, asks the signing endpoint for the
// signature of this page's address, and gives wx the page's Open Graph title, description and
// image, read from the page's own meta tags so the card and the tags cannot differ. Outside WeChat
// it loads nothing.

const config = JSON.parse(document.getElementById("wechat-share").textContent);

function og(property) {
  const meta = document.querySelector(`meta[property="og:${property}"]`);
  return meta ? meta.content : "";
}

/** The share data: the page's Open Graph values (no image when the page has none). */
export function shareData() {
  const data = { title: og("title"), desc: og("description"), link: og("url") || location.href };
  const image = og("image");
  if (image) data.imgUrl = image;
  return data;
}

function loadSdk(url) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = url;
    script.onload = () => (window.wx ? resolve(window.wx) : reject(new Error("no wx")));
    script.onerror = reject;
    document.head.append(script);
  });
}

async function signature() {
  const pageUrl = location.href.split("#")[0];
  const url = new URL(config.signatureUrl, location.href);
  url.searchParams.set("url", pageUrl);
  const response = await fetch(url, { credentials: "omit", headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`signature: HTTP ${response.status}`);
  return response.json();
}

async function start() {
  const [wx, signed] = await Promise.all([loadSdk(config.sdkUrl), signature()]);
  const data = shareData();
  wx.config({
    debug: false,
    appId: config.appId,
    timestamp: signed.timestamp,
    nonceStr: signed.nonceStr,
    signature: signed.signature,
    jsApiList: ["updateAppMessageShareData", "updateTimelineShareData"],
  });
  wx.ready(() => {
    wx.updateAppMessageShareData(data);
    // A Moments card has no description.
    const { desc, ...timeline } = data;
    wx.updateTimelineShareData(timeline);
  });
}

if (/MicroMessenger/i.test(navigator.userAgent)) {
  // A failure (no network, a wrong signature) leaves WeChat's default card: nothing to show.
  start().catch(() => {});
}
