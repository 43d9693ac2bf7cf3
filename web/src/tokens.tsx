import { useMutation } from "@urql/preact";
import { useState } from "preact/hooks";
import { errorSentence } from "./errors.js";
import { formatDateTime } from "./format.js";
import { CreateTokenMutation, RevokeTokenMutation } from "./operations.js";
import { ErrorMessage, TextField } from "./ui.js";

interface TokenView {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt?: string | null;
  revokedAt?: string | null;
}

/** API tokens: create (the secret shown once), revoke. userId: an admin managing another user. */
export function TokenList({ tokens, zone, onChanged, userId }: { tokens: TokenView[]; zone: string; onChanged: () => void; userId?: string }) {
  const [name, setName] = useState("");
  const [created, create] = useMutation(CreateTokenMutation);
  const [revoked, revoke] = useMutation(RevokeTokenMutation);
  const [secret, setSecret] = useState<string | null>(null);
  const onCreate = async (event: Event) => {
    event.preventDefault();
    const answer = await create({ name: name.trim(), userId: userId ?? null });
    if (!answer.data) return;
    setSecret(answer.data.createApiToken.token);
    setName("");
    onChanged();
  };
  return (
    <>
      <form class="inline-form" onSubmit={onCreate}>
        <TextField label="New token's name" type="text" required value={name} onInput={(e) => setName(e.currentTarget.value)} hint="Say where it is used, such as “laptop script”." />
        <button type="submit" disabled={created.fetching}>
          Create a token
        </button>
      </form>
      <ErrorMessage>{errorSentence(created.error) ?? errorSentence(revoked.error)}</ErrorMessage>
      <div role="status">
        {secret && (
          <div class="message success">
            <p>Copy the token now: it is shown only this once.</p>
            <p>
              <code class="secret">{secret}</code>
            </p>
            <p class="hint">Send it as the header Authorization: Bearer followed by the token.</p>
          </div>
        )}
      </div>
      <ul class="plain-list">
        {tokens.map((token) => (
          <li key={token.id} class="row">
            <span class="row-title">
              {token.name} <code>{token.prefix}…</code>
              <span class="hint">
                {" "}
                created {formatDateTime(token.createdAt, zone)}
                {token.lastUsedAt ? `, last used ${formatDateTime(token.lastUsedAt, zone)}` : ", never used"}
                {token.revokedAt && `, revoked ${formatDateTime(token.revokedAt, zone)}`}
              </span>
            </span>
            {!token.revokedAt && (
              <button type="button" class="secondary small" onClick={() => void revoke({ id: token.id }).then(onChanged)} aria-label={`Revoke the token ${token.name}`}>
                Revoke
              </button>
            )}
          </li>
        ))}
      </ul>
      {tokens.length === 0 && <p>No tokens.</p>}
    </>
  );
}
