import { useMutation, useQuery } from "@urql/preact";
import { useState } from "preact/hooks";
import { errorSentence } from "../errors.js";
import { formatDateTime } from "../format.js";
import { TimeZoneField } from "../integration-form.js";
import { ChangePasswordMutation, RevokeSessionMutation, TokensAndSessionsQuery, UpdateMeMutation } from "../operations.js";
import { useSession } from "../session.js";
import { TokenList } from "../tokens.js";
import { CheckboxField, ErrorMessage, PageTitle, StatusMessage, TextField } from "../ui.js";

/** Name, e-mail, time zone, password, API tokens, sessions. */
export function SettingsPage() {
  const { me } = useSession();
  const [data, refresh] = useQuery({ query: TokensAndSessionsQuery, variables: {} });
  const reload = () => refresh({ requestPolicy: "network-only" });
  return (
    <>
      <PageTitle>Settings</PageTitle>
      <Profile />
      <Password />
      <section class="card" aria-labelledby="tokens">
        <h2 id="tokens">API tokens</h2>
        <p>For scripts and other apps: they send a token instead of your password.</p>
        <ErrorMessage>{errorSentence(data.error)}</ErrorMessage>
        <TokenList tokens={data.data?.apiTokens ?? []} zone={me.timezone} onChanged={reload} />
      </section>
      <Sessions sessions={data.data?.sessions ?? []} zone={me.timezone} onChanged={reload} />
    </>
  );
}

function Profile() {
  const { me, refresh } = useSession();
  const [name, setName] = useState(me.name ?? "");
  const [email, setEmail] = useState(me.email);
  const [timezone, setTimezone] = useState(me.timezone);
  const [moveIntegrations, setMoveIntegrations] = useState(true);
  const [result, update] = useMutation(UpdateMeMutation);
  const [saved, setSaved] = useState<string | null>(null);
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    setSaved(null);
    const answer = await update({ input: { name, email, timezone, moveIntegrations } });
    if (!answer.data) return;
    const left = answer.data.updateMe.integrationIdsOnPreviousTimezone.length;
    setSaved(left > 0 ? `Saved. ${left} calendar connection(s) stay on ${me.timezone}: change their time zone on their page if they should move too.` : "Saved.");
    refresh();
  };
  return (
    <form class="card" onSubmit={onSubmit} aria-labelledby="profile">
      <h2 id="profile">You</h2>
      <TextField label="Name" type="text" autocomplete="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      <TextField label="E-mail" type="email" autocomplete="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} hint="You sign in with it." />
      <TimeZoneField value={timezone} onChange={setTimezone} hint="Your timesheet's days and weeks start at midnight in this zone." />
      {timezone !== me.timezone && (
        <CheckboxField label="Move my calendar connections that use my time zone too" checked={moveIntegrations} onChange={(e) => setMoveIntegrations(e.currentTarget.checked)} />
      )}
      <ErrorMessage>{errorSentence(result.error)}</ErrorMessage>
      <div role="status">{saved && <p class="message success">{saved}</p>}</div>
      <button type="submit" disabled={result.fetching}>
        Save
      </button>
    </form>
  );
}

function Password() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [result, change] = useMutation(ChangePasswordMutation);
  const [saved, setSaved] = useState(false);
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    setSaved(false);
    const answer = await change({ currentPassword: current, newPassword: next });
    if (answer.error) return;
    setCurrent("");
    setNext("");
    setSaved(true);
  };
  return (
    <form class="card" onSubmit={onSubmit} aria-labelledby="password">
      <h2 id="password">Password</h2>
      <TextField label="Current password" type="password" autocomplete="current-password" required value={current} onInput={(e) => setCurrent(e.currentTarget.value)} />
      <TextField label="New password" type="password" autocomplete="new-password" required minLength={8} value={next} onInput={(e) => setNext(e.currentTarget.value)} hint="At least 8 characters. Your other browsers are signed out." />
      <ErrorMessage>{errorSentence(result.error)}</ErrorMessage>
      <div role="status">{saved && <p class="message success">Your password is changed.</p>}</div>
      <button type="submit" disabled={result.fetching}>
        Change the password
      </button>
    </form>
  );
}

type SessionView = { id: string; prefix: string; userAgent?: string | null; createdAt: string; lastUsedAt: string; current: boolean };

function Sessions({ sessions, zone, onChanged }: { sessions: SessionView[]; zone: string; onChanged: () => void }) {
  const [result, revoke] = useMutation(RevokeSessionMutation);
  return (
    <section class="card" aria-labelledby="sessions">
      <h2 id="sessions">Signed-in browsers</h2>
      <ErrorMessage>{errorSentence(result.error)}</ErrorMessage>
      <ul class="plain-list">
        {sessions.map((session) => (
          <li key={session.id} class="row">
            <span class="row-title">
              {session.userAgent ?? "Unknown browser"}
              {session.current && <strong> (this browser)</strong>}
              <span class="hint">
                {" "}
                signed in {formatDateTime(session.createdAt, zone)}, last used {formatDateTime(session.lastUsedAt, zone)}
              </span>
            </span>
            {!session.current && (
              <button type="button" class="secondary small" onClick={() => void revoke({ id: session.id }).then(onChanged)} aria-label={`Sign out the browser signed in ${formatDateTime(session.createdAt, zone)}`}>
                Sign out
              </button>
            )}
          </li>
        ))}
      </ul>
      {sessions.length === 0 && <StatusMessage>No sessions.</StatusMessage>}
    </section>
  );
}
