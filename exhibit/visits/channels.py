"""Where a reader came from: a ``?src=`` tag, else the referrer's host, else the in-app browser."""

from __future__ import annotations

from urllib.parse import urlsplit

# The tags the campaign puts on its links and QR codes; documented in the README.
SOURCE_TAGS = {
    "wechat": "WeChat", "weibo": "Weibo", "douyin": "Douyin", "kuaishou": "Kuaishou",
    "bilibili": "Bilibili", "xiaohongshu": "Xiaohongshu", "toutiao": "Toutiao", "x": "X",
    "facebook": "Facebook", "youtube": "YouTube", "linkedin": "LinkedIn", "news": "News sites",
    "email": "E-mail", "print-qr": "QR code on a printed panel", "kiosk-qr": "QR code on a kiosk",
    "wechat-channels": "WeChat Channels",
}
# Referrer hosts (and their subdomains) → channel.
REFERRER_HOSTS = {
    "weixin.qq.com": "wechat", "wx.qq.com": "wechat", "weibo.com": "weibo", "weibo.cn": "weibo",
    "douyin.com": "douyin", "iesdouyin.com": "douyin", "kuaishou.com": "kuaishou",
    "bilibili.com": "bilibili", "xiaohongshu.com": "xiaohongshu", "toutiao.com": "toutiao",
    "t.co": "x", "x.com": "x", "twitter.com": "x", "facebook.com": "facebook", "fb.com": "facebook",
    "youtube.com": "youtube", "linkedin.com": "linkedin", "lnkd.in": "linkedin",
    "baidu.com": "search", "google.com": "search", "bing.com": "search", "so.com": "search",
    "sogou.com": "search", "sm.cn": "search", "duckduckgo.com": "search", "yandex.ru": "search",
}
# In-app browsers often send no referrer; their user agent still says where the reader is.
IN_APP_AGENTS = (("MicroMessenger", "wechat"), ("Weibo", "weibo"), ("aweme", "douyin"),
                 ("BytedanceWebview", "douyin"), ("Kwai", "kuaishou"), ("NewsArticle", "toutiao"))
EXTRA_CHANNELS = {"search": "Search engines", "referral": "Other websites", "direct": "Direct",
                  "internal": "Within the site"}


# The kinds of media channel the terms of reference name (seed 001: "at least 4 kinds": news sites
# and apps, Weibo, WeChat, WeChat Channels, Douyin, Kuaishou, overseas social media), in their
# order, with the channels of each. A channel in none of them (QR codes, search, e-mail, Bilibili...)
# still counts towards the total reach, but not as a kind.
CHANNEL_KINDS = {
    "news": ("news", "toutiao"),
    "weibo": ("weibo",),
    "wechat": ("wechat",),
    "wechat-channels": ("wechat-channels",),
    "douyin": ("douyin",),
    "kuaishou": ("kuaishou",),
    "overseas": ("x", "facebook", "youtube", "linkedin"),
}
KIND_NAMES = {"news": "News sites and apps", "weibo": "Weibo", "wechat": "WeChat",
              "wechat-channels": "WeChat Channels", "douyin": "Douyin", "kuaishou": "Kuaishou",
              "overseas": "Overseas social media"}
# How many kinds the terms of reference ask for.
MIN_CHANNEL_KINDS = 4


def channel_kind(channel: str) -> str | None:
    """The kind of media channel (a key of :data:`CHANNEL_KINDS`) a channel belongs to, if any."""
    return next((kind for kind, members in CHANNEL_KINDS.items() if channel in members), None)


def channel_names() -> dict[str, str]:
    """Every channel id with its English name (the dashboard translates them)."""
    return {**SOURCE_TAGS, **EXTRA_CHANNELS}


def _host_channel(host: str) -> str | None:
    parts = host.lower().rstrip(".").split(".")
    for i in range(len(parts) - 1):
        channel = REFERRER_HOSTS.get(".".join(parts[i:]))
        if channel:
            return channel
    return None


def attribute(src: str | None, referrer: str | None, user_agent: str | None,
              own_host: str) -> str:
    """The channel of a page view: the campaign tag wins, then the referrer, then the app."""
    if src and src in SOURCE_TAGS:
        return src
    if referrer:
        host = urlsplit(referrer).hostname or ""
        if host and host == own_host:
            return "internal"
        if host:
            return _host_channel(host) or "referral"
    for marker, channel in IN_APP_AGENTS:
        if user_agent and marker in user_agent:
            return channel
    return "direct"
