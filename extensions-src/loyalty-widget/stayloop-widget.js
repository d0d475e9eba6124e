/* Stayloop rewards widget: no framework, loaded with defer; data is fetched only when a panel opens. */
(() => {
  "use strict";
  const d = document;
  const q = (el, s) => el.querySelector(s);
  const h = (tag, attrs, ...kids) => {
    const el = d.createElement(tag);
    for (const k in attrs || {}) {
      const v = attrs[k];
      if (v == null || v === false) continue;
      if (k[0] === "o" && k[1] === "n") el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : v);
    }
    el.append(...kids.flat().filter((k) => k != null && k !== false));
    return el;
  };
  const FOCUSABLE = 'a[href],button:not([disabled]),input:not([disabled]),select,textarea,[tabindex="0"]';

  function widget(root) {
    const S = JSON.parse(q(root, "[data-stayloop-strings]").textContent);
    const ds = root.dataset;
    const loc = ds.locale || d.documentElement.lang || "en";
    const show = new Set((ds.sections || "").split(" "));
    const body = q(root, ".sl-body");
    const panel = q(root, ".sl-panel");
    const launcher = q(root, ".sl-launcher");
    const t = (k, v) => (S[k] || "").replace(/\{(\w+)\}/g, (m, n) => (v && v[n] != null ? v[n] : m));
    const num = (n) => new Intl.NumberFormat(loc).format(n);
    const pts = (n) =>
      t("points_" + new Intl.PluralRules(loc).select(n), { n: num(n) }) || t("points_other", { n: num(n) });
    const cur = (c) => new Intl.NumberFormat(loc, { style: "currency", currency: c });
    const money = (minor, c) => {
      const f = cur(c);
      return f.format(minor / 10 ** f.resolvedOptions().maximumFractionDigits);
    };
    const date = (iso) => new Intl.DateTimeFormat(loc, { dateStyle: "medium" }).format(new Date(iso));
    const key = () => (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2) + Date.now());
    let fresh = null;

    async function call(path, payload) {
      const init = payload
        ? { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(payload) }
        : {};
      for (let attempt = 0; ; attempt++) {
        try {
          const res = await fetch(ds.proxy + path, { credentials: "same-origin", ...init });
          const data = await res.json().catch(() => ({}));
          return { status: res.status, data };
        } catch {
          // A lost answer: the same idempotency key makes asking again safe.
          if (attempt > 0) return { status: 0, data: {} };
        }
      }
    }

    const section = (name, heading, ...kids) =>
      show.has(name)
        ? h("section", { class: "sl-sec", "aria-label": heading }, h("h3", {}, heading), ...kids)
        : null;
    const copyButton = (label, text) =>
      h(
        "button",
        {
          type: "button",
          class: "sl-btn sl-ghost",
          onclick: (e) => {
            const b = e.currentTarget;
            (navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.reject()).then(
              () => (b.textContent = t("copied")),
              () => {},
            );
          },
        },
        label,
      );

    async function load() {
      body.replaceChildren(h("p", { class: "sl-muted", role: "status" }, t("loading")));
      const amount = /^\d+$/.test(ds.amount || "") ? "?amount=" + ds.amount : "";
      const { status, data } = await call("/panel" + amount);
      if (status !== 200) {
        body.replaceChildren(
          h("p", { role: "alert" }, t("error")),
          h("button", { type: "button", class: "sl-btn", onclick: load }, t("retry")),
        );
        return;
      }
      body.replaceChildren(...render(data).filter(Boolean));
      const target = fresh && q(body, ".sl-code button");
      if (target) target.focus();
      fresh = null;
    }

    function rewardItem(r, member) {
      const cost = pts(r.pointsCost);
      const need =
        member && !r.affordable
          ? h("span", { class: "sl-muted" }, t("need_more", { points: pts(r.pointsCost - member.balance) }))
          : null;
      const button = member
        ? h(
            "button",
            {
              type: "button",
              class: "sl-btn",
              disabled: !r.affordable,
              "aria-label": t("redeem_label", { reward: r.name, points: cost }),
              onclick: (e) => redeem(r, e.currentTarget),
            },
            t("redeem"),
          )
        : null;
      return h(
        "li",
        { class: "sl-row" },
        h("span", {}, h("strong", {}, r.name), h("br"), h("span", { class: "sl-muted" }, cost)),
        need,
        button,
      );
    }

    async function redeem(r, b) {
      b.disabled = true;
      b.textContent = t("redeeming");
      const { status, data } = await call("/redeem", { rewardId: r.id, idempotencyKey: key() });
      if (status === 200) {
        fresh = { code: data.code, reward: r.name };
        return load();
      }
      b.disabled = false;
      b.textContent = t("redeem");
      const msg =
        status === 429
          ? "rate_limited"
          : data.error === "insufficient_points"
            ? "insufficient"
            : "redeem_error";
      b.after(h("p", { role: "alert", class: "sl-err" }, t(msg)));
    }

    function codeBox(code, reward) {
      return h(
        "div",
        { class: "sl-code", role: "status" },
        h("p", {}, t("code_ready", { reward })),
        h("code", {}, code),
        h(
          "div",
          { class: "sl-acts" },
          copyButton(t("copy"), code),
          h("a", { class: "sl-btn", href: ds.root + "discount/" + encodeURIComponent(code) }, t("apply")),
        ),
      );
    }

    function render(p) {
      const pr = p.program;
      if (!pr.enabled) return [h("p", {}, t("program_off"))];
      if (p.kind === "guest") {
        const unit = 10 ** cur(pr.currency).resolvedOptions().maximumFractionDigits;
        return [
          h("h3", {}, t("guest_heading")),
          p.signedIn ? h("p", {}, t("account_pending")) : null,
          h(
            "p",
            {},
            t("guest_earn", { points: pts(pr.pointsPerCurrencyUnit), amount: money(unit, pr.currency) }),
          ),
          pr.signupPoints > 0 ? h("p", {}, t("guest_signup", { points: pts(pr.signupPoints) })) : null,
          p.earn ? h("p", { class: "sl-hi" }, t("earn_preview", { points: pts(p.earn.points) })) : null,
          p.rewards.length
            ? section(
                "rewards",
                t("rewards_heading"),
                h(
                  "ul",
                  { class: "sl-list" },
                  p.rewards.map((r) => rewardItem(r, null)),
                ),
              )
            : null,
          p.signedIn
            ? null
            : h(
                "div",
                { class: "sl-acts" },
                h("a", { class: "sl-btn", href: ds.root + p.registerPath }, t("join")),
                h("a", { class: "sl-btn sl-ghost", href: ds.root + p.loginPath }, t("sign_in")),
              ),
        ];
      }
      const tier = p.tier;
      const next = tier && tier.next;
      const remaining =
        next && (tier.metric === "spend" ? money(next.remaining, pr.currency) : num(next.remaining));
      return [
        p.customer.firstName ? h("p", {}, t("greeting", { name: p.customer.firstName })) : null,
        h(
          "p",
          { class: "sl-bal" },
          h("span", { class: "sl-muted" }, t("balance")),
          h("strong", {}, pts(p.balance)),
        ),
        p.pending.batches.length
          ? h(
              "p",
              { class: "sl-muted" },
              t("pending", { points: pts(p.pending.points), date: date(p.pending.batches[0].spendableAt) }),
            )
          : null,
        p.expiresAt ? h("p", { class: "sl-muted" }, t("expires", { date: date(p.expiresAt) })) : null,
        p.earn ? h("p", { class: "sl-hi" }, t("earn_preview", { points: pts(p.earn.points) })) : null,
        fresh ? codeBox(fresh.code, fresh.reward) : null,
        tier
          ? section(
              "tier",
              tier.current ? t("tier", { tier: tier.current.name }) : t("no_tier"),
              tier.current && tier.current.perks.length
                ? h("p", {}, t("perks", { perks: tier.current.perks.join(", ") }))
                : null,
              next
                ? [
                    h(
                      "div",
                      {
                        class: "sl-bar",
                        role: "progressbar",
                        "aria-valuemin": 0,
                        "aria-valuemax": 100,
                        "aria-valuenow": tier.progressPercent,
                        "aria-label": t("progress", { tier: next.name }),
                      },
                      h("span", { style: "width:" + tier.progressPercent + "%" }),
                    ),
                    h("p", {}, t("next_" + tier.metric, { remaining, tier: next.name })),
                  ]
                : h("p", {}, t("top_tier")),
            )
          : null,
        p.redemptions.length && !fresh
          ? section(
              "rewards",
              t("codes_heading"),
              h(
                "ul",
                { class: "sl-list" },
                p.redemptions.map((c) =>
                  h(
                    "li",
                    { class: "sl-row" },
                    h("span", {}, c.rewardName, h("br"), h("code", {}, c.code)),
                    copyButton(t("copy"), c.code),
                  ),
                ),
              ),
            )
          : null,
        section(
          "rewards",
          t("rewards_heading"),
          p.rewards.length
            ? h(
                "ul",
                { class: "sl-list" },
                p.rewards.map((r) => rewardItem(r, p)),
              )
            : h("p", {}, t("rewards_empty")),
        ),
        p.referral
          ? section(
              "referral",
              t("referral_heading"),
              h(
                "p",
                {},
                t("referral_text", { friend: pts(pr.friendPoints), referrer: pts(pr.referrerPoints) }),
              ),
              h("label", { for: root.id + "-ref" }, t("referral_link")),
              h("input", { id: root.id + "-ref", class: "sl-in", readonly: true, value: p.referral.url }),
              h(
                "div",
                { class: "sl-acts" },
                copyButton(t("copy_link"), p.referral.url),
                navigator.share
                  ? h(
                      "button",
                      {
                        type: "button",
                        class: "sl-btn sl-ghost",
                        onclick: () => navigator.share({ url: p.referral.url }).catch(() => {}),
                      },
                      t("share"),
                    )
                  : null,
              ),
            )
          : null,
        !p.birthday.set && p.birthday.points > 0
          ? section("birthday", t("birthday_heading"), birthdayForm(p.birthday.points))
          : null,
        section(
          "history",
          t("history_heading"),
          p.history.length
            ? h(
                "ul",
                { class: "sl-list" },
                p.history.map((e) => {
                  const delta = e.pointsDelta + e.pendingDelta;
                  return h(
                    "li",
                    { class: "sl-row" },
                    h(
                      "span",
                      {},
                      t("h_" + (e.kind === "earn" ? e.source : e.kind)) || t("h_other"),
                      h("br"),
                      h("span", { class: "sl-muted" }, date(e.at)),
                    ),
                    h("strong", {}, (delta > 0 ? "+" : "") + num(delta)),
                  );
                }),
              )
            : h("p", {}, t("history_empty")),
        ),
      ];
    }

    function birthdayForm(points) {
      const id = root.id + "-bday";
      const input = h("input", {
        id,
        type: "date",
        class: "sl-in",
        required: true,
        max: new Date().toISOString().slice(0, 10),
      });
      const form = h(
        "form",
        {
          onsubmit: async (e) => {
            e.preventDefault();
            const { status } = await call("/birthday", { birthday: input.value, idempotencyKey: key() });
            const ok = status === 200;
            const msg = h(
              "p",
              { role: ok ? "status" : "alert", class: ok ? "" : "sl-err" },
              t(ok ? "birthday_saved" : status === 429 ? "rate_limited" : "birthday_error"),
            );
            if (ok) form.replaceWith(msg);
            else (q(form, ".sl-err") || form.appendChild(msg)).replaceWith(msg);
          },
        },
        h("p", {}, t("birthday_text", { points: pts(points) })),
        h("label", { for: id }, t("birthday_label")),
        input,
        h("button", { type: "submit", class: "sl-btn" }, t("birthday_save")),
      );
      return form;
    }

    if (!launcher) {
      // The app block: load when it scrolls into view.
      const io =
        window.IntersectionObserver &&
        new IntersectionObserver((es) => {
          if (es.some((e) => e.isIntersecting)) {
            io.disconnect();
            load();
          }
        });
      return io ? io.observe(root) : load();
    }
    const close = () => {
      panel.hidden = true;
      launcher.setAttribute("aria-expanded", "false");
      launcher.focus();
    };
    launcher.addEventListener("click", () => {
      if (!panel.hidden) return close();
      panel.hidden = false;
      launcher.setAttribute("aria-expanded", "true");
      q(panel, ".sl-title").focus();
      load();
    });
    q(panel, ".sl-close").addEventListener("click", close);
    panel.addEventListener("keydown", (e) => {
      if (e.key === "Escape") return (e.preventDefault(), close());
      if (e.key !== "Tab") return;
      const f = [...panel.querySelectorAll(FOCUSABLE)].filter((el) => el.offsetParent !== null);
      const first = f[0];
      const last = f[f.length - 1];
      if (!first) return e.preventDefault();
      if (
        e.shiftKey
          ? d.activeElement === first ||
            !panel.contains(d.activeElement) ||
            d.activeElement === q(panel, ".sl-title")
          : d.activeElement === last
      ) {
        e.preventDefault();
        (e.shiftKey ? last : first).focus();
      }
    });
  }

  const start = () =>
    d.querySelectorAll("[data-stayloop]:not([data-sl-on])").forEach((root) => {
      root.setAttribute("data-sl-on", "");
      widget(root);
    });
  if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", start);
  else start();
})();
