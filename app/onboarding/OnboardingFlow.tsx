"use client";

import { useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import { ContactSalesForm } from "@/components/contact-sales/ContactSalesForm";
import { DaemonTokenForm } from "@/components/runtimes/DaemonTokenForm";
import { captureOnboardingRuntimePathSelected, setPersonProperties } from "@/lib/analytics-client";
import { QUESTIONNAIRE_VERSION, type Questionnaire, type Role, type Source, type UseCase } from "@/lib/onboarding/questionnaire";
import { FormError } from "@/components/ui/FormMessage";
import { api } from "@/lib/ui/api";
import { useApiAction } from "@/lib/ui/use-api-action";

type WorkspaceRef = { id: string; name: string; slug: string };
type Step = "welcome" | "source" | "role" | "use_case" | "workspace" | "runtime";
type CompletionPath = "full" | "runtime_skipped" | "skip_existing" | "cloud_waitlist";

const STEPS: Step[] = ["welcome", "source", "role", "use_case", "workspace", "runtime"];

const SOURCE_LABELS: Record<Source, string> = {
  friends_colleagues: "Friends or colleagues",
  search: "Search engine",
  social_x: "X (Twitter)",
  social_linkedin: "LinkedIn",
  social_youtube: "YouTube",
  social_github: "GitHub",
  social_other: "Other social media",
  blog_newsletter: "A blog or newsletter",
  ai_assistant: "An AI assistant",
  from_work: "From work",
  event_conference: "An event or conference",
  dont_remember: "I don't remember",
  other: "Somewhere else",
};
const ROLE_LABELS: Record<Role, string> = {
  engineer: "Engineer",
  product: "Product",
  designer: "Designer",
  founder: "Founder",
  marketing: "Marketing",
  writer: "Writer",
  research: "Research",
  ops: "Operations",
  student: "Student",
  other: "Something else",
};
const USE_CASE_LABELS: Record<UseCase, string> = {
  ship_code: "Ship code with agents",
  manage_team: "Manage a team's work",
  personal_tasks: "Organise my own tasks",
  plan_research: "Plan and research",
  write_publish: "Write and publish",
  automate_ops: "Automate operations",
  evaluate: "Just evaluating",
  other: "Something else",
};

/** The step to resume at after a reload: the one in the URL, unless it needs a workspace the user does not have. */
function resumeStep(raw: string | null | undefined, workspace: WorkspaceRef | null): Step {
  const step = STEPS.find((s) => s === raw) ?? "welcome";
  return step === "runtime" && !workspace ? "workspace" : step;
}

export function OnboardingFlow(props: {
  email: string;
  initialAnswers: Questionnaire;
  workspaces: WorkspaceRef[];
  initialStep?: string | null;
  initialWorkspaceId?: string | null;
  /** A same-origin path to go to at the end (an invitation link the person followed before signing up). */
  next?: string | null;
}) {
  const initialWorkspace = props.workspaces.find((w) => w.id === props.initialWorkspaceId) ?? props.workspaces.at(-1) ?? null;
  const [step, setStep] = useState<Step>(() => resumeStep(props.initialStep, initialWorkspace));
  const [answers, setAnswers] = useState<Questionnaire>(props.initialAnswers);
  const [workspace, setWorkspace] = useState<WorkspaceRef | null>(initialWorkspace);
  // The page's workspaces plus one created in this flow: Back from the runtime step offers it instead of a blank
  // name that would create a second workspace.
  const [workspaces, setWorkspaces] = useState<WorkspaceRef[]>(props.workspaces);
  const nextPath = props.next ?? null;

  // The step (and workspace) go into the URL without a navigation, so a reload resumes here, not at Welcome.
  useEffect(() => {
    const q = new URLSearchParams();
    if (step !== "welcome") q.set("step", step);
    if (step === "runtime" && workspace) q.set("workspace", workspace.id);
    if (nextPath) q.set("next", nextPath);
    const url = `/onboarding${q.size ? `?${q}` : ""}`;
    if (`${window.location.pathname}${window.location.search}` !== url) window.history.replaceState(window.history.state, "", url);
  }, [step, workspace, nextPath]);
  const { busy, error, run: runAction } = useApiAction();
  const heading = useRef<HTMLHeadingElement>(null);

  // Each step is a new "page" for keyboard and screen-reader users: move focus to its heading.
  useEffect(() => {
    if (step !== "welcome") heading.current?.focus();
  }, [step]);

  const next = () => setStep(STEPS[STEPS.indexOf(step) + 1]!);
  const back = () => setStep(STEPS[STEPS.indexOf(step) - 1]!);

  async function run(action: () => Promise<void>) {
    await runAction("Something went wrong, please try again", action);
  }

  /** Saves the questionnaire (every questionnaire step) and moves on. */
  const saveAndNext = (patch: Partial<Questionnaire>) =>
    run(async () => {
      const merged = { ...answers, ...patch, version: QUESTIONNAIRE_VERSION };
      await api("/api/me/onboarding", { method: "PATCH", body: { questionnaire: merged } });
      // Mirror the answers onto the PostHog person, as the reference does after each save.
      const person = Object.fromEntries(
        Object.entries({ source: merged.source, role: merged.role, use_case: merged.use_case }).filter(
          ([, v]) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0),
        ),
      );
      if (Object.keys(person).length > 0) setPersonProperties(person);
      setAnswers(merged);
      next();
    });

  const finish = (path: CompletionPath, target: WorkspaceRef | null) =>
    run(async () => {
      await api("/api/me/onboarding/complete", { body: { completion_path: path, workspace_id: target?.id } });
      window.location.assign(nextPath ?? (target ? `/w/${target.slug}` : "/home"));
    });

  const index = STEPS.indexOf(step);
  const invited = nextPath?.startsWith("/invite/");
  return (
    <section aria-labelledby="onboarding-heading">
      {invited && (
        <p className="panel" data-testid="invitation-kept">
          You were invited to a workspace. Your invitation is kept: it opens when you finish here.{" "}
          <a href={nextPath!}>Open the invitation now</a>
        </p>
      )}
      {step !== "welcome" && (
        <p className="muted" aria-label={`Step ${index} of ${STEPS.length - 1}`}>
          Step {index} of {STEPS.length - 1}
        </p>
      )}
      {step === "welcome" && (
        <>
          <h1 id="onboarding-heading" ref={heading} tabIndex={-1}>
            Welcome to Tandem
          </h1>
          <p>A few quick questions so we can set things up for you, then your workspace and a runtime for your agents.</p>
          <p className="row">
            <button type="button" onClick={next}>
              Get started
            </button>
            {workspaces.length > 0 && (
              <button type="button" className="secondary" disabled={busy} onClick={() => finish("skip_existing", workspaces[0]!)}>
                I&apos;ve done this before
              </button>
            )}
          </p>
        </>
      )}
      {step === "source" && (
        <SingleChoice
          title="How did you hear about Tandem?"
          name="source"
          labels={SOURCE_LABELS}
          initial={answers.source?.[0] ?? null}
          initialOther={answers.source_other ?? ""}
          busy={busy}
          onBack={back}
          onSkip={() => saveAndNext({ source: [], source_other: null, source_skipped: true })}
          onSubmit={(value, other) => saveAndNext({ source: [value as Source], source_other: other, source_skipped: false })}
          headingRef={heading}
        />
      )}
      {step === "role" && (
        <SingleChoice
          title="What best describes your role?"
          name="role"
          labels={ROLE_LABELS}
          initial={answers.role ?? null}
          initialOther={answers.role_other ?? ""}
          busy={busy}
          onBack={back}
          onSkip={() => saveAndNext({ role: null, role_other: null, role_skipped: true })}
          onSubmit={(value, other) => saveAndNext({ role: value as Role, role_other: other, role_skipped: false })}
          headingRef={heading}
        />
      )}
      {step === "use_case" && (
        <UseCaseStep
          initial={answers.use_case ?? []}
          initialOther={answers.use_case_other ?? ""}
          busy={busy}
          onBack={back}
          onSkip={() => saveAndNext({ use_case: [], use_case_other: null, use_case_skipped: true })}
          onSubmit={(values, other) => saveAndNext({ use_case: values, use_case_other: other, use_case_skipped: false })}
          headingRef={heading}
        />
      )}
      {step === "workspace" && (
        <WorkspaceStep
          workspaces={workspaces}
          chosenId={workspace?.id}
          busy={busy}
          onBack={back}
          onChosen={(w) => {
            if (!workspaces.some((known) => known.id === w.id)) setWorkspaces([...workspaces, w]);
            setWorkspace(w);
            next();
          }}
          run={run}
          headingRef={heading}
        />
      )}
      {step === "runtime" && workspace && (
        <RuntimeStep
          email={props.email}
          workspace={workspace}
          busy={busy}
          onBack={back}
          finish={(path) => finish(path, workspace)}
          run={run}
          headingRef={heading}
        />
      )}
      <FormError error={error} />
    </section>
  );
}

type HeadingRef = React.RefObject<HTMLHeadingElement | null>;

function StepHeading({ headingRef, children }: { headingRef: HeadingRef; children: ReactNode }) {
  return (
    <h1 id="onboarding-heading" ref={headingRef} tabIndex={-1}>
      {children}
    </h1>
  );
}

function NavButtons(props: { busy: boolean; canContinue: boolean; onBack: () => void; onSkip?: () => void; continueLabel?: string }) {
  return (
    <p className="row">
      <button type="button" className="secondary" onClick={props.onBack} disabled={props.busy}>
        Back
      </button>
      {props.onSkip && (
        <button type="button" className="secondary" onClick={props.onSkip} disabled={props.busy}>
          Skip
        </button>
      )}
      <button type="submit" disabled={props.busy || !props.canContinue}>
        {props.continueLabel ?? "Continue"}
      </button>
    </p>
  );
}

const inlineLabel = { display: "inline", fontWeight: 400, margin: 0 } as const;

function SingleChoice<T extends string>(props: {
  title: string;
  name: string;
  labels: Record<T, string>;
  initial: T | null;
  initialOther: string;
  busy: boolean;
  onBack: () => void;
  onSkip: () => void;
  onSubmit: (value: T, other: string | null) => void;
  headingRef: HeadingRef;
}) {
  const [value, setValue] = useState<T | null>(props.initial);
  const [other, setOther] = useState(props.initialOther);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (value) props.onSubmit(value, value === "other" && other.trim() ? other.trim() : null);
  };
  return (
    <form onSubmit={submit}>
      <StepHeading headingRef={props.headingRef}>{props.title}</StepHeading>
      <fieldset style={{ border: 0, padding: 0 }}>
        <legend className="visually-hidden">{props.title}</legend>
        {(Object.keys(props.labels) as T[]).map((key) => (
          <div key={key} className="row" style={{ gap: "0.4rem", margin: "0.3rem 0" }}>
            <input type="radio" id={`${props.name}-${key}`} name={props.name} value={key} checked={value === key} onChange={() => setValue(key)} />
            <label htmlFor={`${props.name}-${key}`} style={inlineLabel}>
              {props.labels[key]}
            </label>
          </div>
        ))}
      </fieldset>
      {value === "other" && (
        <>
          <label htmlFor={`${props.name}-other-text`}>Tell us more (optional)</label>
          <input id={`${props.name}-other-text`} maxLength={200} value={other} onChange={(e) => setOther(e.target.value)} />
        </>
      )}
      <NavButtons busy={props.busy} canContinue={value !== null} onBack={props.onBack} onSkip={props.onSkip} />
    </form>
  );
}

function UseCaseStep(props: {
  initial: UseCase[];
  initialOther: string;
  busy: boolean;
  onBack: () => void;
  onSkip: () => void;
  onSubmit: (values: UseCase[], other: string | null) => void;
  headingRef: HeadingRef;
}) {
  const [values, setValues] = useState<UseCase[]>(props.initial);
  const [other, setOther] = useState(props.initialOther);
  const toggle = (v: UseCase) => setValues((cur) => (cur.includes(v) ? cur.filter((x) => x !== v) : [...cur, v]));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (values.length > 0) props.onSubmit(values, values.includes("other") && other.trim() ? other.trim() : null);
  };
  return (
    <form onSubmit={submit}>
      <StepHeading headingRef={props.headingRef}>What do you want to use Tandem for?</StepHeading>
      <fieldset style={{ border: 0, padding: 0 }}>
        <legend className="muted">Choose all that apply.</legend>
        {(Object.keys(USE_CASE_LABELS) as UseCase[]).map((key) => (
          <div key={key} className="row" style={{ gap: "0.4rem", margin: "0.3rem 0" }}>
            <input type="checkbox" id={`use_case-${key}`} name="use_case" value={key} checked={values.includes(key)} onChange={() => toggle(key)} />
            <label htmlFor={`use_case-${key}`} style={inlineLabel}>
              {USE_CASE_LABELS[key]}
            </label>
          </div>
        ))}
      </fieldset>
      {values.includes("other") && (
        <>
          <label htmlFor="use_case-other-text">Tell us more (optional)</label>
          <input id="use_case-other-text" maxLength={200} value={other} onChange={(e) => setOther(e.target.value)} />
        </>
      )}
      <NavButtons busy={props.busy} canContinue={values.length > 0} onBack={props.onBack} onSkip={props.onSkip} />
    </form>
  );
}

function WorkspaceStep(props: {
  workspaces: WorkspaceRef[];
  /** The workspace chosen (or created) earlier in this flow: selected again when the person comes back. */
  chosenId?: string;
  busy: boolean;
  onBack: () => void;
  onChosen: (w: WorkspaceRef) => void;
  run: (action: () => Promise<void>) => Promise<void>;
  headingRef: HeadingRef;
}) {
  const [choice, setChoice] = useState<string>(props.workspaces.find((w) => w.id === props.chosenId)?.id ?? props.workspaces[0]?.id ?? "new");
  const [name, setName] = useState("");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const existing = props.workspaces.find((w) => w.id === choice);
    if (existing) return props.onChosen(existing);
    void props.run(async () => {
      const created = await api<WorkspaceRef>("/api/workspaces", { body: { name } });
      props.onChosen(created);
    });
  };
  return (
    <form onSubmit={submit}>
      <StepHeading headingRef={props.headingRef}>Your workspace</StepHeading>
      <p className="muted">Issues, agents and teammates live in a workspace.</p>
      {props.workspaces.length > 0 && (
        <fieldset style={{ border: 0, padding: 0 }}>
          <legend className="visually-hidden">Choose a workspace</legend>
          {props.workspaces.map((w) => (
            <div key={w.id} className="row" style={{ gap: "0.4rem" }}>
              <input type="radio" id={`ws-${w.id}`} name="workspace" checked={choice === w.id} onChange={() => setChoice(w.id)} />
              <label htmlFor={`ws-${w.id}`} style={inlineLabel}>
                Use {w.name}
              </label>
            </div>
          ))}
          <div className="row" style={{ gap: "0.4rem" }}>
            <input type="radio" id="ws-new" name="workspace" checked={choice === "new"} onChange={() => setChoice("new")} />
            <label htmlFor="ws-new" style={inlineLabel}>
              Create a new workspace
            </label>
          </div>
        </fieldset>
      )}
      {choice === "new" && (
        <>
          <label htmlFor="onboarding-workspace-name">Workspace name</label>
          <input id="onboarding-workspace-name" required maxLength={80} value={name} onChange={(e) => setName(e.target.value)} placeholder="Acme Robotics" />
        </>
      )}
      <NavButtons busy={props.busy} canContinue={choice !== "new" || name.trim() !== ""} onBack={props.onBack} />
    </form>
  );
}

function RuntimeStep(props: {
  email: string;
  workspace: WorkspaceRef;
  busy: boolean;
  onBack: () => void;
  finish: (path: CompletionPath) => Promise<void>;
  run: (action: () => Promise<void>) => Promise<void>;
  headingRef: HeadingRef;
}) {
  const [waitEmail, setWaitEmail] = useState(props.email);
  const [reason, setReason] = useState("");
  const isMac = typeof navigator !== "undefined" && /mac/i.test(navigator.platform);

  const [notYet, setNotYet] = useState(false);
  // "I've started the daemon" is checked: one of the workspace's runtimes must be online.
  const connected = () =>
    void props.run(async () => {
      setNotYet(false);
      const { runtimes } = await api<{ runtimes: { status: string }[] }>("/api/runtimes", { workspaceId: props.workspace.id });
      if (!runtimes.some((r) => r.status === "online")) {
        setNotYet(true);
        return;
      }
      captureOnboardingRuntimePathSelected({ path: "cli", workspaceId: props.workspace.id, isMac });
      await props.finish("full");
    });

  const joinWaitlist = (e: FormEvent) => {
    e.preventDefault();
    captureOnboardingRuntimePathSelected({ path: "cloud_waitlist", workspaceId: props.workspace.id, isMac });
    void props.run(async () => {
      await api("/api/me/onboarding/cloud-waitlist", { body: { email: waitEmail, reason: reason || undefined } });
      await props.finish("cloud_waitlist");
    });
  };

  return (
    <div>
      <StepHeading headingRef={props.headingRef}>Connect a runtime</StepHeading>
      <p>
        Agents run on a <strong>runtime</strong>: the Tandem daemon on a machine of yours, with the coding tools you already
        use. Create a daemon token for {props.workspace.name} here, run the command it shows in a checkout of Tandem, then
        come back. You can also do this later on the <a href={`/w/${props.workspace.slug}/runtimes`}>Runtimes page</a>.
      </p>
      <DaemonTokenForm workspaceId={props.workspace.id} />
      <div className="panel">
        <h2>Run it on your machine</h2>
        <p>When the daemon prints “registered”, your runtime is online.</p>
        {notYet && (
          <p role="alert" className="error">
            No runtime of {props.workspace.name} is online yet. Start the daemon with the command above, wait until it says
            “registered”, then try again.
          </p>
        )}
        <p className="row">
          <button type="button" onClick={connected} disabled={props.busy}>
            I&apos;ve started the daemon
          </button>
          <button type="button" className="secondary" onClick={() => void props.finish("runtime_skipped")} disabled={props.busy}>
            Skip for now
          </button>
          <button type="button" className="secondary" onClick={props.onBack} disabled={props.busy}>
            Back
          </button>
        </p>
      </div>
      <form className="panel" onSubmit={joinWaitlist} aria-labelledby="cloud-waitlist-heading">
        <h2 id="cloud-waitlist-heading">Rather not run it yourself? Join the cloud waitlist</h2>
        <label htmlFor="cloud-waitlist-email">Email</label>
        <input id="cloud-waitlist-email" type="email" required maxLength={254} value={waitEmail} onChange={(e) => setWaitEmail(e.target.value)} />
        <label htmlFor="cloud-waitlist-reason">What would you use cloud runtimes for? (optional)</label>
        <textarea id="cloud-waitlist-reason" maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
        <p>
          <button type="submit" disabled={props.busy}>
            Join the waitlist and continue
          </button>
        </p>
      </form>
      <details className="panel">
        <summary>Rolling Tandem out to a whole team? Talk to sales</summary>
        <ContactSalesForm source="onboarding" heading="Contact sales" />
      </details>
    </div>
  );
}
