// R-LOYAL: three moments of the loyalty programme, each its own preset on the loyalty domain's
// events — a tier reached (upwards only), points about to expire (the expiry warning), and a
// reward the customer can now afford. None ends on purchase: they are news, not nudges to buy.
import {
  button,
  countOf,
  greeting,
  paragraph,
  pointForms,
  presetMessage,
  productList,
  signOff,
  when,
} from "./messages";
import type { FlowDefinitionInput, PresetSource } from "./preset";
import type { Reentry } from "../definition";
import type { MessageTemplate } from "../../messaging/compose";

function singleMessage(
  trigger: FlowDefinitionInput["trigger"],
  reentry: Reentry,
  template: MessageTemplate,
): () => FlowDefinitionInput {
  return () => ({
    trigger,
    filters: [],
    reentry,
    exitOnPurchase: false,
    controlPercent: 0,
    templates: { message: template },
    start: "message",
    steps: [{ id: "message", type: "send", template: "message", next: null }],
  });
}

const tierName = "event.toName | default: loyalty.tier_name";
const nextTier = "loyalty.next_tier_name != blank and loyalty.points_to_next_tier > 0";

const tierReached = presetMessage({
  purpose: "marketing",
  whatsapp: {
    templateName: "loyalty_tier_reached",
    parameters: ["{{ shop.name }}", `{{ ${tierName} | default: shop.name }}`, "{{ shop.url }}"],
  },
  en: {
    subject: `{% assign tier = ${tierName} %}{% if tier != blank %}Welcome to {{ tier }}!{% else %}You have reached a new tier!{% endif %}`,
    preheader: "Thank you for your loyalty. New benefits are waiting.",
    blocks: [
      greeting("en"),
      paragraph(
        `{% assign tier = ${tierName} %}Congratulations! You have reached {% if tier != blank %}the {{ tier }} tier{% else %}a new tier{% endif %}{% if loyalty.program_name != blank %} of {{ loyalty.program_name }}{% endif %}. Thank you for being such a loyal customer; your new benefits apply from your next order.`,
      ),
      paragraph(`You have ${countOf("en", "points.balance", pointForms)} to spend on rewards.`),
      when(nextTier, [
        paragraph(
          `Only ${countOf("en", "loyalty.points_to_next_tier", pointForms)} to go until {{ loyalty.next_tier_name }}.`,
        ),
      ]),
      button("See your benefits", "shop.url"),
      signOff("en"),
    ],
    sms: `congratulations, you have reached {{ ${tierName} | default: "a new tier" }}! Your benefits: {{ shop.url }}`,
  },
  cs: {
    subject: `{% assign tier = ${tierName} %}{% if tier != blank %}Gratulujeme, jste na úrovni {{ tier }}!{% else %}Gratulujeme k nové úrovni!{% endif %}`,
    preheader: "Děkujeme za vaši věrnost. Čekají na vás nové výhody.",
    blocks: [
      greeting("cs"),
      paragraph(
        `{% assign tier = ${tierName} %}gratulujeme! Dosáhli jste {% if tier != blank %}úrovně {{ tier }}{% else %}nové úrovně{% endif %}{% if loyalty.program_name != blank %} ve věrnostním programu {{ loyalty.program_name }}{% endif %}. Děkujeme za vaši věrnost, nové výhody platí od příští objednávky.`,
      ),
      paragraph(`Na odměny máte ${countOf("cs", "points.balance", pointForms)}.`),
      when(nextTier, [
        paragraph(
          `K úrovni {{ loyalty.next_tier_name }} vám chybí už jen ${countOf("cs", "loyalty.points_to_next_tier", pointForms)}.`,
        ),
      ]),
      button("Zobrazit výhody", "shop.url"),
      signOff("cs"),
    ],
    sms: `gratulujeme k nové úrovni{% assign tier = ${tierName} %}{% if tier != blank %} {{ tier }}{% endif %}! Vaše výhody: {{ shop.url }}`,
  },
});

const expiringPoints = "event.points | default: loyalty.expiring_points";

const pointsExpiring = presetMessage({
  purpose: "marketing",
  whatsapp: {
    templateName: "loyalty_points_expiring",
    parameters: ["{{ shop.name }}", `{{ ${expiringPoints} | default: points.balance }}`, "{{ shop.url }}"],
  },
  en: {
    subject: "Your points expire soon",
    preheader: "Use them before they are gone.",
    blocks: [
      greeting("en"),
      paragraph(
        `{% assign expiring = ${expiringPoints} %}A quick heads-up: {% if expiring > 0 %}${countOf("en", "expiring", pointForms)}{% else %}some of your points{% endif %} will expire{% if loyalty.expires_on != blank %} on {{ loyalty.expires_on }}{% else %} soon{% endif %}. Use them on your next order before they are gone.`,
      ),
      paragraph(`Your balance: ${countOf("en", "points.balance", pointForms)}.`),
      button("Use your points", "shop.url"),
      productList("recommendations", "Ideas for your points"),
      signOff("en"),
    ],
    sms: "your points expire{% if loyalty.expires_on != blank %} on {{ loyalty.expires_on }}{% else %} soon{% endif %}. Use them before they are gone: {{ shop.url }}",
  },
  cs: {
    subject: "Vaše body brzy propadnou",
    preheader: "Využijte je, dokud platí.",
    blocks: [
      greeting("cs"),
      paragraph(
        `{% assign expiring = ${expiringPoints} %}jen krátce připomínáme: na účtu máte {% if expiring > 0 %}${countOf("cs", "expiring", pointForms)}{% else %}body{% endif %}{% if loyalty.expires_on != blank %} s platností do {{ loyalty.expires_on }}{% else %}, jejichž platnost brzy skončí{% endif %}. Využijte je při příští objednávce, než propadnou.`,
      ),
      paragraph(`Celkem máte ${countOf("cs", "points.balance", pointForms)}.`),
      button("Využít body", "shop.url"),
      productList("recommendations", "Tipy, za co body utratit"),
      signOff("cs"),
    ],
    sms: "vaše body brzy propadnou{% if loyalty.expires_on != blank %} ({{ loyalty.expires_on }}){% endif %}. Využijte je včas: {{ shop.url }}",
  },
});

const rewardName = "event.rewardName | default: loyalty.reward_name";

const rewardAffordable = presetMessage({
  purpose: "marketing",
  whatsapp: {
    templateName: "loyalty_reward_available",
    parameters: ["{{ shop.name }}", `{{ ${rewardName} | default: shop.name }}`, "{{ shop.url }}"],
  },
  en: {
    subject: "You have enough points for a reward",
    preheader: "Your points are ready to use.",
    blocks: [
      greeting("en"),
      paragraph(
        `{% assign reward = ${rewardName} %}Good news: you now have enough points for {% if reward != blank %}“{{ reward }}”{% else %}a reward{% endif %}. You have ${countOf("en", "points.balance", pointForms)}{% if event.pointsCost > 0 %}, and this reward costs ${countOf("en", "event.pointsCost", pointForms)}{% endif %}.`,
      ),
      paragraph("Redeem it on your next order, or keep collecting for something bigger. It is up to you."),
      button("Redeem your reward", "shop.url"),
      signOff("en"),
    ],
    sms: "you have enough points for a reward{% assign reward = event.rewardName | default: loyalty.reward_name %}{% if reward != blank %}: {{ reward }}{% endif %}. Redeem it: {{ shop.url }}",
  },
  cs: {
    subject: "Máte dost bodů na odměnu",
    preheader: "Vaše body jsou připravené k použití.",
    blocks: [
      greeting("cs"),
      paragraph(
        `{% assign reward = ${rewardName} %}máme dobrou zprávu: nasbírali jste dost bodů na odměnu{% if reward != blank %} „{{ reward }}“{% endif %}. Na účtu máte ${countOf("cs", "points.balance", pointForms)}{% if event.pointsCost > 0 %} a odměna stojí ${countOf("cs", "event.pointsCost", pointForms)}{% endif %}.`,
      ),
      paragraph("Uplatněte ji při příští objednávce, nebo sbírejte dál na něco většího. Je to na vás."),
      button("Uplatnit odměnu", "shop.url"),
      signOff("cs"),
    ],
    sms: "máte dost bodů na odměnu{% assign reward = event.rewardName | default: loyalty.reward_name %}{% if reward != blank %} „{{ reward }}“{% endif %}. Uplatněte ji: {{ shop.url }}",
  },
});

export const loyaltyTierReached: PresetSource = {
  id: "loyalty-tier-reached",
  category: "loyalty",
  name: { en: "Loyalty tier reached", cs: "Nová věrnostní úroveň" },
  description: {
    en: "Congratulates a member the moment they move up a loyalty tier and shows how close the next one is, because recognition at the right moment makes members feel valued and keeps them buying.",
    cs: "Pogratuluje členovi ve chvíli, kdy postoupí na vyšší věrnostní úroveň, a ukáže, jak blízko je další, protože uznání ve správnou chvíli dá členům pocit, že si jich vážíte, a udrží je u nákupů.",
  },
  options: [],
  build: singleMessage(
    {
      event: "loyalty.tier_changed",
      delayMinutes: 0,
      filters: [{ kind: "event", property: "direction", operator: "equals", value: "up" }],
    },
    { mode: "every_time" },
    tierReached,
  ),
};

export const loyaltyPointsExpiring: PresetSource = {
  id: "loyalty-points-expiring",
  category: "loyalty",
  name: { en: "Points about to expire", cs: "Body brzy propadnou" },
  description: {
    en: "Warns members before their points expire and suggests what to spend them on, because points that are about to be lost are one of the strongest reasons to order again.",
    cs: "Upozorní členy, že jim brzy propadnou body, a navrhne, za co je utratit, protože body, o které by přišli, jsou jedním z nejsilnějších důvodů znovu nakoupit.",
  },
  options: [],
  build: singleMessage(
    { event: "loyalty.points_expiring", delayMinutes: 0, filters: [] },
    { mode: "every_time" },
    pointsExpiring,
  ),
};

export const loyaltyRewardAffordable: PresetSource = {
  id: "loyalty-reward-available",
  category: "loyalty",
  name: { en: "Reward now available", cs: "Odměna je k dispozici" },
  description: {
    en: "Tells members when they have collected enough points for a reward, at most once a month, because a reward they can claim today gives them a reason to come back today.",
    cs: "Dá členům vědět, že nasbírali dost bodů na odměnu, nejvýše jednou měsíčně, protože odměna, kterou si mohou vybrat hned, jim dává důvod vrátit se hned.",
  },
  options: [],
  build: singleMessage(
    { event: "loyalty.reward_affordable", delayMinutes: 0, filters: [] },
    { mode: "once_per_days", days: 30 },
    rewardAffordable,
  ),
};
