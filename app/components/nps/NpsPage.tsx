// The shopper-facing survey page (R-POST), in English and Czech: the thanks for a one-click score
// with an optional comment, or — from "answer later" — the question with every score.
import type { TemplateLocale } from "../../messaging/templates";

interface Words {
  question: (shop: string) => string;
  thanks: string;
  yourScore: (score: number) => string;
  changeHint: string;
  commentLabel: string;
  commentButton: string;
  commentSaved: string;
  commentInvalid: string;
  notLikely: string;
  veryLikely: string;
}

const words: Record<TemplateLocale, Words> = {
  en: {
    question: (shop) => `How likely are you to recommend ${shop} to a friend?`,
    thanks: "Thank you for your answer!",
    yourScore: (score) => `Your score: ${score} out of 10.`,
    changeHint: "Clicked the wrong number? Pick another one below.",
    commentLabel: "Anything you would like to tell us? (optional)",
    commentButton: "Send comment",
    commentSaved: "Thank you, we have your comment.",
    commentInvalid: "Write a comment of at most 2,000 characters first.",
    notLikely: "Not likely",
    veryLikely: "Very likely",
  },
  cs: {
    question: (shop) => `Jak pravděpodobně byste ${shop} doporučili známým?`,
    thanks: "Děkujeme za vaši odpověď!",
    yourScore: (score) => `Vaše hodnocení: ${score} z 10.`,
    changeHint: "Klikli jste omylem na jiné číslo? Vyberte níže jiné.",
    commentLabel: "Chcete nám něco vzkázat? (nepovinné)",
    commentButton: "Odeslat komentář",
    commentSaved: "Děkujeme, váš komentář máme.",
    commentInvalid: "Napište nejdřív komentář, nejvýše 2 000 znaků.",
    notLikely: "Určitě ne",
    veryLikely: "Určitě ano",
  },
};

export interface NpsPageProps {
  shopName: string;
  locale: TemplateLocale;
  /** The stored score; -1 when the question has not been answered yet. */
  score: number;
  comment: string | null;
  /** Signed link per score (0…10). */
  links: { score: number; url: string }[];
  commentSaved: boolean;
  invalidComment: boolean;
}

export function NpsPage({
  shopName,
  locale,
  score,
  comment,
  links,
  commentSaved,
  invalidComment,
}: NpsPageProps) {
  const text = words[locale];
  const answered = score >= 0;
  return (
    <main
      lang={locale}
      style={{ maxWidth: 560, margin: "3rem auto", padding: "0 1rem", fontFamily: "system-ui, sans-serif" }}
    >
      <h1 style={{ fontSize: "1.5rem" }}>{answered ? text.thanks : text.question(shopName)}</h1>
      {answered && <p>{text.yourScore(score)}</p>}
      {answered && <p>{text.changeHint}</p>}
      <nav aria-label={text.question(shopName)}>
        <ol style={{ display: "flex", flexWrap: "wrap", gap: 6, listStyle: "none", padding: 0 }}>
          {links.map((link) => (
            <li key={link.score}>
              <a
                href={link.url}
                aria-current={link.score === score ? "true" : undefined}
                style={{
                  display: "inline-block",
                  minWidth: 36,
                  padding: "8px 0",
                  textAlign: "center",
                  border: "1px solid #1a1a1a",
                  borderRadius: 6,
                  color: link.score === score ? "#fff" : "#1a1a1a",
                  background: link.score === score ? "#1a1a1a" : "#fff",
                  textDecoration: "none",
                }}
              >
                {link.score}
              </a>
            </li>
          ))}
        </ol>
        <p style={{ display: "flex", justifyContent: "space-between", fontSize: "0.875rem" }}>
          <span>0 = {text.notLikely}</span>
          <span>10 = {text.veryLikely}</span>
        </p>
      </nav>
      {answered && (
        <form method="post">
          <label htmlFor="nps-comment" style={{ display: "block", marginBottom: 6 }}>
            {text.commentLabel}
          </label>
          <textarea
            id="nps-comment"
            name="comment"
            rows={4}
            maxLength={2000}
            defaultValue={comment ?? ""}
            aria-invalid={invalidComment ? true : undefined}
            aria-describedby={invalidComment ? "nps-comment-error" : undefined}
            style={{ width: "100%", boxSizing: "border-box" }}
          />
          {invalidComment && (
            <p id="nps-comment-error" role="alert" style={{ color: "#8e1f0b" }}>
              {text.commentInvalid}
            </p>
          )}
          <button type="submit" style={{ marginTop: 8, padding: "8px 16px" }}>
            {text.commentButton}
          </button>
          {commentSaved && <p role="status">{text.commentSaved}</p>}
        </form>
      )}
    </main>
  );
}
