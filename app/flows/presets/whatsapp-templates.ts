// The WhatsApp message templates the presets send, as the merchant submits them for approval in
// their WhatsApp Business account: one name, an English and a Czech body with numbered
// placeholders ({{1}}, {{2}}…) filled, in order, by the preset's liquid parameters. Meta refuses a
// body that starts or ends with a placeholder; marketing bodies end with the STOP opt-out, which the
// inbound keyword handling (app/messaging/stop-keywords.ts) understands.
import type { Localized } from "./preset";

export interface WhatsAppTemplateText {
  category: "marketing" | "utility";
  body: Localized;
}

const stop: Localized = { en: "\n\nReply STOP to opt out.", cs: "\n\nOdhlášení: odpovězte STOP." };

function marketing(en: string, cs: string): WhatsAppTemplateText {
  return { category: "marketing", body: { en: en + stop.en, cs: cs + stop.cs } };
}

export const whatsAppTemplates: Readonly<Record<string, WhatsAppTemplateText>> = {
  abandoned_cart_reminder: marketing(
    "You left some items in your cart at {{1}}. We saved them for you, so you can finish your order here: {{2}}",
    "Ve vašem košíku v obchodě {{1}} zůstalo zboží. Uložili jsme vám ho, objednávku dokončíte zde: {{2}}",
  ),
  abandoned_cart_held: marketing(
    "Your cart at {{1}} is held only for a limited time, and popular items sell out quickly. Complete your order: {{2}}",
    "Váš košík v obchodě {{1}} držíme jen omezenou dobu a oblíbené zboží se rychle vyprodává. Dokončete objednávku: {{2}}",
  ),
  abandoned_cart_last_call: marketing(
    "Last reminder from {{1}}: your cart is still waiting for you. {{2}}",
    "Poslední připomínka od obchodu {{1}}: váš košík na vás stále čeká. {{2}}",
  ),
  abandoned_cart_last_call_discount: marketing(
    "Last reminder from {{1}}: your personal code {{2}} gives you a discount on your cart. Finish your order: {{3}}",
    "Poslední připomínka od obchodu {{1}}: s vaším osobním kódem {{2}} máte na košík slevu. Dokončete objednávku: {{3}}",
  ),
  browse_reminder: marketing(
    "Still thinking it over? The product you looked at in {{1}} is still available: {{2}}",
    "Ještě se rozmýšlíte? Produkt, který jste si prohlíželi v obchodě {{1}}, je stále k dispozici: {{2}}",
  ),
  welcome_new_customer: marketing(
    "Welcome to {{1}}! Thank you for joining us. Have a look around: {{2}}",
    "Vítejte v obchodě {{1}}! Děkujeme, že jste s námi. Podívejte se, co nabízíme: {{2}}",
  ),
  welcome_member_benefits: marketing(
    "Thank you for your order at {{1}}! Your points for rewards: {{2}}. More at {{3}}",
    "Děkujeme za objednávku v obchodě {{1}}! Body na odměny: {{2}}. Více na {{3}}",
  ),
  welcome_recently_viewed: marketing(
    "Still thinking it over? The things you looked at in {{1}} are waiting for you: {{2}}",
    "Ještě se rozmýšlíte? Zboží, které jste si prohlíželi v obchodě {{1}}, na vás čeká: {{2}}",
  ),
  welcome_bestsellers: marketing(
    "Not sure where to start? See what customers of {{1}} love most: {{2}}",
    "Nevíte, kde začít? Podívejte se, co mají zákazníci obchodu {{1}} nejraději: {{2}}",
  ),
  first_order_thank_you: marketing(
    "Thank you for your first order at {{1}}! We are getting order {{2}} ready for you. {{3}}",
    "Děkujeme za vaši první objednávku v obchodě {{1}}! Objednávku {{2}} už pro vás chystáme. {{3}}",
  ),
  order_thank_you: marketing(
    "Thank you for ordering from {{1}} again! We are preparing order {{2}}. {{3}}",
    "Děkujeme, že jste v obchodě {{1}} znovu nakoupili! Objednávku {{2}} už chystáme. {{3}}",
  ),
  order_shipped: {
    category: "utility",
    body: {
      en: "Good news from {{1}}: your order {{2}} has shipped. Track it here: {{3}}\n\nThank you for shopping with us!",
      cs: "Dobrá zpráva od obchodu {{1}}: vaši objednávku {{2}} jsme odeslali. Sledovat ji můžete zde: {{3}}\n\nDěkujeme za nákup!",
    },
  },
  nps_question: marketing(
    "How likely are you to recommend {{1}} to a friend? Answer from 0 to 10 in one tap: {{2}}",
    "Jak pravděpodobné je, že byste obchod {{1}} doporučili známým? Odpovězte 0–10 jedním klepnutím: {{2}}",
  ),
  replenishment_reminder: marketing(
    "Running low? Reorder from {{1}} in one click: {{2}}",
    "Docházejí vám zásoby? Objednejte znovu v obchodě {{1}} jedním kliknutím: {{2}}",
  ),
  win_back: marketing(
    "We miss you at {{1}}! See what is new: {{2}}",
    "Chybíte nám v obchodě {{1}}! Podívejte se na novinky: {{2}}",
  ),
  win_back_reminder: marketing(
    "We are still here at {{1}} whenever you are ready: {{2}}",
    "V obchodě {{1}} jsme tu pro vás, kdykoli budete chtít: {{2}}",
  ),
  loyalty_tier_reached: marketing(
    "Congratulations! You have reached {{2}} in the loyalty programme of {{1}}. See your benefits: {{3}}",
    "Gratulujeme! Ve věrnostním programu obchodu {{1}} jste dosáhli úrovně {{2}}. Vaše výhody: {{3}}",
  ),
  loyalty_points_expiring: marketing(
    "A quick heads-up from {{1}}: your points ({{2}}) expire soon. Use them before they are gone: {{3}}",
    "Krátká připomínka od obchodu {{1}}: vaše body ({{2}}) brzy propadnou. Využijte je včas: {{3}}",
  ),
  loyalty_reward_available: marketing(
    "Good news from {{1}}: you have enough points for {{2}}. Redeem it: {{3}}",
    "Dobrá zpráva od obchodu {{1}}: máte dost bodů na odměnu {{2}}. Uplatněte ji: {{3}}",
  ),
  birthday_gift: marketing(
    "Happy birthday from everyone at {{1}}! Our gift to you: code {{2}} for a discount on your next order.",
    "Všechno nejlepší k narozeninám přeje celý tým obchodu {{1}}! Náš dárek: kód {{2}} na slevu z dalšího nákupu.",
  ),
  birthday_wishes: marketing(
    "Happy birthday from everyone at {{1}}! Have a wonderful year. {{2}}",
    "Všechno nejlepší k narozeninám přeje celý tým obchodu {{1}}! Krásný rok plný radosti. {{2}}",
  ),
  anniversary_thanks: marketing(
    "Thank you for another year with {{1}}! {{2}}",
    "Děkujeme za další rok s obchodem {{1}}! {{2}}",
  ),
  anniversary_gift: marketing(
    "Thank you for another year with {{1}}! Our gift to you: code {{2}} for a discount on your next order.",
    "Děkujeme za další rok s obchodem {{1}}! Náš dárek: kód {{2}} na slevu z dalšího nákupu.",
  ),
  feedback_apology: marketing(
    "Thank you for your honest feedback to {{1}}. We are sorry we let you down; reply and tell us what went wrong. {{2}}",
    "Děkujeme za upřímné hodnocení obchodu {{1}}. Mrzí nás, že jsme vás zklamali; napište nám, co se pokazilo. {{2}}",
  ),
  feedback_apology_gift: marketing(
    "Thank you for your honest feedback to {{1}}. We are sorry we let you down; to make it up to you, code {{2}} gives you a discount on your next order.",
    "Děkujeme za upřímné hodnocení obchodu {{1}}. Mrzí nás, že jsme vás zklamali; na usmířenou vám kód {{2}} dá slevu na další nákup.",
  ),
  order_cancelled_apology: marketing(
    "We are sorry your order at {{1}} was cancelled. Questions? Just reply. {{2}}",
    "Mrzí nás, že vaše objednávka v obchodě {{1}} byla zrušena. Máte dotaz? Stačí odpovědět. {{2}}",
  ),
  order_cancelled_apology_gift: marketing(
    "We are sorry your order at {{1}} was cancelled. To make it up to you, code {{2}} gives you a discount next time.",
    "Mrzí nás, že vaše objednávka v obchodě {{1}} byla zrušena. Na usmířenou vám kód {{2}} dá slevu na příští nákup.",
  ),
};
