"""WeCom (企业微信, and 政务微信 on its own host): one self-built app (自建应用) as a messenger.

The bot runs in WeCom through the same Application as in Telegram: `bridge.WeComRequest` carries its Bot API calls
to WeCom and `bridge.WeComBridge.update` turns callbacks into updates (see docs/design.md); `app.running` puts it
together from bot.config.WeComConfig (the `[wecom]` table; TALKLEDGER_WECOM_* override it). The parts:
- `callback.WeComCallback(WeComCrypto(cfg.token, cfg.encoding_aes_key, cfg.corp_id), accept, clock,
  agent_id=cfg.agent_id).add_routes(app, cfg.callback_path)`; `accept(event: WeComEvent) -> Awaitable[None]`
  should only persist/queue (WeCom waits 5 s); if it raises, WeCom's retry brings the callback again.
  Events: kind "text" (text), "button" (task_id, event_key, response_code), "enter_agent", "menu_click"
  (event_key), "other"; replays and duplicates never reach `accept`.
- `client.WeComClient(cfg, session=None, clock=None)`: send_text(user, text, start=0) -> msgids (split at
  2,048 bytes; an error tells `sent_pieces`, a retry passes it as start),
  send_card(user, card) -> SentCard(msg_id, response_code), update_card(users, response_code, card),
  upload_media(kind, filename, bytes) -> media_id, send_file(user, media_id) -> msgid, create_menu(agent_id, menu).
  Raises errors.WeComRetryLater(retry_after), errors.WeComPermanentFailure(user_ids) or errors.WeComError.
- `cards.render_card(text, choices, task_id, page)`: [(label, opaque_id)] as a button card, with ‹ › pages;
  `cards.page_of(event_key)` tells a page press from a choice; `cards.card_text(text).preface` is text to send
  first when it does not fit on a card; `cards.pressed_card(card, text)` greys the buttons after a press.
- `emulator.WeComEmulator` / `WeComEmulatorServer`: the local WeCom for tests, the sandbox and bench/wecom.py.
"""
