import { useMutation } from "@urql/preact";
import { useState } from "preact/hooks";
import { errorSentence } from "../errors.js";
import { SignInMutation } from "../operations.js";
import { navigate, safeReturnPath, useLocation } from "../router.js";
import { ErrorMessage, PageTitle, TextField } from "../ui.js";

/** E-mail and password; afterwards back to the page the visitor asked for. */
export function SignInPage({ onSignedIn }: { onSignedIn: () => void }) {
  const location = useLocation();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [result, signIn] = useMutation(SignInMutation);
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const answer = await signIn({ email, password });
    if (answer.error) return;
    navigate(safeReturnPath(location.searchParams.get("next")) ?? "/timesheet", { replace: true });
    onSignedIn();
  };
  return (
    <main id="main" class="sign-in">
      <p class="brand">CalDAV Timesheet</p>
      <PageTitle>Sign in</PageTitle>
      <p>Sign in to see your timesheet and connect your calendars.</p>
      <form onSubmit={onSubmit} class="card">
        <TextField label="E-mail" type="email" name="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        <TextField
          label="Password"
          type="password"
          name="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <ErrorMessage>{errorSentence(result.error)}</ErrorMessage>
        <button type="submit" disabled={result.fetching}>
          {result.fetching ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <details class="help">
        <summary>First time here?</summary>
        <p>
          On its first start the server created an admin, <code>admin@localhost</code>. Give it a password on the server's machine with{" "}
          <code>npm run cli -- user set-password --email admin@localhost</code>, then sign in with it here. Other people get their account and
          first password from an admin.
        </p>
      </details>
    </main>
  );
}
