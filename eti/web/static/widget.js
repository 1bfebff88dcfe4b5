/*! ETI – Enklere tilgang til informasjon. Chat widget, MIT licence.
 *
 * Embed:  <script src="https://HOST/widget.js" data-eti-api="https://HOST"
 *                 data-municipality="4207" data-lang="nb" defer></script>
 * Options (data-*): eti-api (API base; "" = same origin; absent = the script's origin),
 *   municipality (4-digit kommunenummer), lang (nb | nn | en), mode ("page" = full-page chat),
 *   target (CSS selector for the page-mode container), sectors (comma list, e.g. "health,welfare").
 * A button on the page opens the widget when it has a data-eti-open attribute (no inline handler needed).
 *
 * Security: everything from the API (answers, titles, snippets, URLs) is put into the DOM with
 * createElement/textContent only. Answer text is data: links and URLs in it stay plain text; the only
 * links are a citation's own url and legal basis (http(s) only). Nothing is stored in the browser,
 * no third-party resources are loaded and there are no inline event handlers.
 */
(() => {
  'use strict';
  if (window.__etiWidget) return;
  window.__etiWidget = true;

  const script = document.currentScript ||
    document.querySelector('script[data-eti-api],script[src*="widget.js"]');
  const ds = (script && script.dataset) || {};
  let API = ds.etiApi;
  if (API == null) {
    try { API = new URL(script.src, location.href).origin; } catch (e) { API = ''; }
  }
  API = String(API).trim().replace(/\/+$/, '');
  const PAGE = ds.mode === 'page';
  const LANGS = { nb: 'Bokmål', nn: 'Nynorsk', en: 'English' };
  const SECTOR_ORDER = ['health', 'welfare', 'education', 'municipal', 'legal'];
  const SECTORS = (ds.sectors || '').split(',').map((s) => s.trim()).filter((s) => SECTOR_ORDER.includes(s));
  const TEL = [['113', '113'], ['116117', '116 117'], ['116123', '116 123']];

  /* ---------- texts ---------- */
  const I18N = {
    nb: {
      launcher: 'Spør om hjelp', title: 'Hjelp og rettigheter for familier',
      dialog: 'ETI – spør om hjelp og rettigheter',
      intro: 'Svar fra offentlige kilder om helse, NAV, skole og kommunen. Ikke skriv navn, fødselsnummer eller andre personopplysninger.',
      close: 'Lukk', newChat: 'Ny samtale', print: 'Skriv ut / lagre som PDF', language: 'Språk',
      muni: 'Kommune', whole: 'Hele landet', muniBad: 'Fant ingen kommune med det navnet. Velg fra listen.',
      input: 'Ditt spørsmål', placeholder: 'Hva lurer du på?', send: 'Send', starters: 'Forslag til spørsmål',
      q: ['Hva er pleiepenger?', 'Hvordan får vi avlastning?', 'Hva gjør en barnekoordinator?', 'Hvilken hjelp kan vi få i barnehagen og på skolen?'],
      you: 'Du skrev:', bot: 'ETI svarte:', thinking: 'Leter i kildene …', ready: 'Svaret er klart.',
      sources: 'Kilder', source: 'Kilde', open: 'Åpne kilden', newTab: '(åpnes i ny fane)', updated: 'Sist oppdatert',
      sec: { health: 'Helse', welfare: 'NAV', education: 'Skole og barnehage', municipal: 'Kommunen', legal: 'Lov og rettigheter', other: 'Andre kilder' },
      fbQ: 'Var svaret nyttig?', up: 'Ja, nyttig', down: 'Nei, ikke nyttig',
      fbComment: 'Vil du fortelle mer? (valgfritt – ikke skriv personopplysninger)', fbSend: 'Send tilbakemelding',
      thanks: 'Takk for tilbakemeldingen!', fbErr: 'Kunne ikke sende tilbakemeldingen. Prøv igjen.',
      emTitle: 'Er det akutt? Ring 113', emText: 'Ved fare for liv og helse: ring 113 med en gang.',
      tel: ['Medisinsk nødtelefon: 113', 'Legevakt: 116 117', 'Mental helse (hjelpetelefon): 116 123'],
      fnr: 'Det ser ut som du har skrevet et fødselsnummer. ETI trenger ikke personopplysninger for å svare, så vi anbefaler at du fjerner det.',
      edit: 'Rediger', sendAnyway: 'Send likevel',
      errNet: 'Fikk ikke kontakt med tjenesten. Sjekk internettforbindelsen og prøv igjen.',
      errRate: 'Mange spør akkurat nå. Prøv igjen om {s} sekunder.', errRate0: 'Mange spør akkurat nå. Prøv igjen om litt.',
      errBad: 'Spørsmålet kunne ikke behandles. Prøv å skrive det på en annen måte.',
      errServer: 'Noe gikk galt hos oss. Prøv igjen om litt.', retry: 'Prøv igjen',
      disclaimer: 'ETI gir generell informasjon fra offentlige kilder og kan ta feil. Sjekk kildene, og spør tjenestene selv ved tvil.',
      pTitle: 'Samtale med ETI', pDate: 'Skrevet ut', pQ: 'Spørsmål', pA: 'Svar', pNotes: 'Notater til møtet (for eksempel med barnekoordinatoren)',
      about: 'Om ETI', cardBy: 'ETI-sammendrag, gjennomgått {d}', cardBy0: 'ETI-sammendrag', official: 'Offisiell side',
      legal: 'Lovgrunnlag', outdated: 'Kan være utdatert', mt: 'Deler av svaret er maskinoversatt fra bokmål.',
      ovBtn: 'Lag en oversikt for familien', ovTitle: 'Din oversikt',
      ovIntro: 'Noen korte spørsmål om hverdagen, så viser ETI hva som kan være aktuelt. Ingenting lagres, med mindre du skriver ut eller lagrer oversikten.',
      step: 'Spørsmål {i} av {n}', next: 'Neste', back: 'Tilbake', cancel: 'Avbryt', make: 'Lag oversikten',
      pick: 'Velg et svar for å gå videre.', yes: 'Ja', no: 'Nei',
      fq: {
        child_age: 'Hvor gammelt er barnet?',
        specialist_followup: 'Er barnet innlagt, eller følges barnet opp av sykehuset eller annen spesialisthelsetjeneste?',
        night_supervision: 'Trenger barnet tilsyn eller pleie om natten?',
        extra_care: 'Trenger barnet mer omsorg og pleie hjemme enn det som er vanlig for alderen?',
        medical_equipment: 'Bruker barnet medisinsk utstyr hjemme, for eksempel sonde eller oksygen?',
        attendance_percent: 'Hvor mye av tiden kan barnet være i barnehagen eller på skolen?',
        life_limiting: 'Har barnet en livstruende eller livsbegrensende sykdom (palliasjon)?',
        parents: 'Hvor mange foreldre har omsorgen for barnet?', work: 'Forelder {p}: hva er arbeidssituasjonen?',
        siblings: 'Har barnet søsken som bor i samme hjem?', municipality: 'Hvilken kommune bor dere i?',
      },
      ageN: '{n} år', ageHint: 'Alder i hele år, 0–25 (0 under 1 år).',
      att: ['Hele tiden', 'Det meste av tiden', 'Omtrent halvparten', 'Litt, under halvparten', 'Ikke i det hele tatt nå', 'Ikke aktuelt (går ikke i barnehage eller skole)'],
      np: ['Én forelder', 'To foreldre'],
      works: { employed: 'Ansatt (arbeidstaker)', self_employed: 'Selvstendig næringsdrivende', freelance: 'Frilanser', student: 'Student', not_working: 'Ikke i arbeid' },
      muniHint: 'Velg fra listen, eller «Hele landet».', loading: 'Lager oversikten …',
      ovLead: 'Dette kan være aktuelt for dere, ut fra svarene. Det er tjenestene selv som avgjør om dere har rett.',
      ovCoord: 'Hvem kan hjelpe dere å samordne', ovNone: 'Ut fra svarene fant vi ingen ordninger å foreslå. Barnekoordinatoren eller servicetorget i kommunen kan hjelpe dere videre.',
      fWhy: 'Hvorfor det kan passe', fGives: 'Hva det gir', fDecides: 'Hvem avgjør', fHow: 'Slik søker dere', fDocs: 'Dokumenter',
      fDeadlines: 'Frister', fComplaint: 'Klage', fKfrist: 'Klagefrist', fLocal: 'Kommunens egne sider',
      ovReady: 'Oversikten er klar.', edit2: 'Endre svarene', backChat: 'Tilbake til samtalen', pOv: 'Din oversikt – kan være aktuelt for familien', pAns: 'Svarene dere ga',
    },
    nn: {
      launcher: 'Spør om hjelp', title: 'Hjelp og rettar for familiar',
      dialog: 'ETI – spør om hjelp og rettar',
      intro: 'Svar frå offentlege kjelder om helse, NAV, skule og kommunen. Ikkje skriv namn, fødselsnummer eller andre personopplysningar.',
      close: 'Lukk', newChat: 'Ny samtale', print: 'Skriv ut / lagre som PDF', language: 'Språk',
      muni: 'Kommune', whole: 'Heile landet', muniBad: 'Fann ingen kommune med det namnet. Vel frå lista.',
      input: 'Spørsmålet ditt', placeholder: 'Kva lurer du på?', send: 'Send', starters: 'Forslag til spørsmål',
      q: ['Kva er pleiepengar?', 'Korleis får vi avlasting?', 'Kva gjer ein barnekoordinator?', 'Kva hjelp kan vi få i barnehagen og på skulen?'],
      you: 'Du skreiv:', bot: 'ETI svarte:', thinking: 'Leitar i kjeldene …', ready: 'Svaret er klart.',
      sources: 'Kjelder', source: 'Kjelde', open: 'Opne kjelda', newTab: '(opnar i ny fane)', updated: 'Sist oppdatert',
      sec: { health: 'Helse', welfare: 'NAV', education: 'Skule og barnehage', municipal: 'Kommunen', legal: 'Lov og rettar', other: 'Andre kjelder' },
      fbQ: 'Var svaret nyttig?', up: 'Ja, nyttig', down: 'Nei, ikkje nyttig',
      fbComment: 'Vil du fortelje meir? (valfritt – ikkje skriv personopplysningar)', fbSend: 'Send tilbakemelding',
      thanks: 'Takk for tilbakemeldinga!', fbErr: 'Kunne ikkje sende tilbakemeldinga. Prøv igjen.',
      emTitle: 'Er det akutt? Ring 113', emText: 'Ved fare for liv og helse: ring 113 med ein gong.',
      tel: ['Medisinsk naudtelefon: 113', 'Legevakt: 116 117', 'Mental helse (hjelpetelefon): 116 123'],
      fnr: 'Det ser ut som du har skrive eit fødselsnummer. ETI treng ikkje personopplysningar for å svare, så vi rår deg til å fjerne det.',
      edit: 'Rediger', sendAnyway: 'Send likevel',
      errNet: 'Fekk ikkje kontakt med tenesta. Sjekk internettsambandet og prøv igjen.',
      errRate: 'Mange spør akkurat no. Prøv igjen om {s} sekund.', errRate0: 'Mange spør akkurat no. Prøv igjen om litt.',
      errBad: 'Spørsmålet kunne ikkje handsamast. Prøv å skrive det på ein annan måte.',
      errServer: 'Noko gjekk gale hos oss. Prøv igjen om litt.', retry: 'Prøv igjen',
      disclaimer: 'ETI gir generell informasjon frå offentlege kjelder og kan ta feil. Sjekk kjeldene, og spør tenestene sjølve ved tvil.',
      pTitle: 'Samtale med ETI', pDate: 'Skrive ut', pQ: 'Spørsmål', pA: 'Svar', pNotes: 'Notat til møtet (til dømes med barnekoordinatoren)',
      about: 'Om ETI', cardBy: 'ETI-samandrag, gjennomgått {d}', cardBy0: 'ETI-samandrag', official: 'Offisiell side',
      legal: 'Lovgrunnlag', outdated: 'Kan vere utdatert', mt: 'Maskinomsett frå bokmål.',
      ovBtn: 'Lag ein oversikt for familien', ovTitle: 'Din oversikt',
      ovIntro: 'Nokre korte spørsmål om kvardagen, så viser ETI kva som kan vere aktuelt. Ingenting blir lagra, med mindre du skriv ut eller lagrar oversikten.',
      step: 'Spørsmål {i} av {n}', next: 'Neste', back: 'Tilbake', cancel: 'Avbryt', make: 'Lag oversikten',
      pick: 'Vel eit svar for å gå vidare.', yes: 'Ja', no: 'Nei',
      fq: {
        child_age: 'Kor gammalt er barnet?',
        specialist_followup: 'Er barnet innlagt, eller blir barnet følgt opp av sjukehuset eller anna spesialisthelseteneste?',
        night_supervision: 'Treng barnet tilsyn eller pleie om natta?',
        extra_care: 'Treng barnet meir omsorg og pleie heime enn det som er vanleg for alderen?',
        medical_equipment: 'Brukar barnet medisinsk utstyr heime, til dømes sonde eller oksygen?',
        attendance_percent: 'Kor mykje av tida kan barnet vere i barnehagen eller på skulen?',
        life_limiting: 'Har barnet ein livstrugande eller livsavgrensande sjukdom (palliasjon)?',
        parents: 'Kor mange foreldre har omsorga for barnet?', work: 'Forelder {p}: kva er arbeidssituasjonen?',
        siblings: 'Har barnet sysken som bur i same heim?', municipality: 'Kva kommune bur de i?',
      },
      ageN: '{n} år', ageHint: 'Alder i heile år, 0–25 (0 under 1 år).',
      att: ['Heile tida', 'Det meste av tida', 'Omtrent halvparten', 'Litt, under halvparten', 'Ikkje i det heile no', 'Ikkje aktuelt (går ikkje i barnehage eller skule)'],
      np: ['Éin forelder', 'To foreldre'],
      works: { employed: 'Tilsett (arbeidstakar)', self_employed: 'Sjølvstendig næringsdrivande', freelance: 'Frilansar', student: 'Student', not_working: 'Ikkje i arbeid' },
      muniHint: 'Vel frå lista, eller «Heile landet».', loading: 'Lagar oversikten …',
      ovLead: 'Dette kan vere aktuelt for dykk, ut frå svara. Det er tenestene sjølve som avgjer om de har rett.',
      ovCoord: 'Kven kan hjelpe dykk å samordne', ovNone: 'Ut frå svara fann vi ingen ordningar å føreslå. Barnekoordinatoren eller servicetorget i kommunen kan hjelpe dykk vidare.',
      fWhy: 'Kvifor det kan passe', fGives: 'Kva det gir', fDecides: 'Kven avgjer', fHow: 'Slik søkjer de', fDocs: 'Dokument',
      fDeadlines: 'Fristar', fComplaint: 'Klage', fKfrist: 'Klagefrist', fLocal: 'Kommunen sine eigne sider',
      ovReady: 'Oversikten er klar.', edit2: 'Endre svara', backChat: 'Tilbake til samtalen', pOv: 'Din oversikt – kan vere aktuelt for familien', pAns: 'Svara de gav',
    },
    en: {
      launcher: 'Ask for help', title: 'Help and rights for families',
      dialog: 'ETI – ask about help and rights',
      intro: 'Answers from Norwegian public sources on health, NAV, school and your municipality. Please do not enter names, national ID numbers or other personal details.',
      close: 'Close', newChat: 'New conversation', print: 'Print / save as PDF', language: 'Language',
      muni: 'Municipality', whole: 'All of Norway', muniBad: 'No municipality with that name. Choose one from the list.',
      input: 'Your question', placeholder: 'What would you like to know?', send: 'Send', starters: 'Suggested questions',
      q: ['What is pleiepenger (care benefit)?', 'How do we get respite care (avlastning)?', 'What does a child coordinator (barnekoordinator) do?', 'What help can we get at kindergarten and school?'],
      you: 'You wrote:', bot: 'ETI answered:', thinking: 'Searching the sources …', ready: 'The answer is ready.',
      sources: 'Sources', source: 'Source', open: 'Open the source', newTab: '(opens in a new tab)', updated: 'Last updated',
      sec: { health: 'Health', welfare: 'NAV', education: 'School and kindergarten', municipal: 'Municipality', legal: 'Law and rights', other: 'Other sources' },
      fbQ: 'Was this answer helpful?', up: 'Yes, helpful', down: 'No, not helpful',
      fbComment: 'Anything to add? (optional – no personal details)', fbSend: 'Send feedback',
      thanks: 'Thank you for your feedback!', fbErr: 'Could not send the feedback. Please try again.',
      emTitle: 'Is this an emergency? Call 113', emText: 'If life or health is at risk: call 113 now.',
      tel: ['Medical emergency: 113', 'Out-of-hours doctor (legevakt): 116 117', 'Mental health helpline: 116 123'],
      fnr: 'This looks like a Norwegian national ID number (fødselsnummer). ETI does not need personal details to answer, so we recommend removing it.',
      edit: 'Edit', sendAnyway: 'Send anyway',
      errNet: 'Could not reach the service. Check your internet connection and try again.',
      errRate: 'Many people are asking right now. Try again in {s} seconds.', errRate0: 'Many people are asking right now. Try again shortly.',
      errBad: 'The question could not be processed. Try phrasing it differently.',
      errServer: 'Something went wrong on our side. Try again shortly.', retry: 'Try again',
      disclaimer: 'ETI gives general information from public sources and can be wrong. Check the sources, and ask the services themselves if in doubt.',
      pTitle: 'Conversation with ETI', pDate: 'Printed', pQ: 'Question', pA: 'Answer', pNotes: 'Notes for the meeting (for example with the child coordinator)',
      about: 'About ETI', cardBy: 'ETI summary, reviewed {d}', cardBy0: 'ETI summary', official: 'Official page',
      legal: 'Legal basis', outdated: 'May be out of date', mt: 'Machine-translated from Norwegian bokmål.',
      ovBtn: 'Make an overview for your family', ovTitle: 'Your overview',
      ovIntro: 'A few short questions about daily life, and ETI shows what may apply. Nothing is kept unless you print or save the overview.',
      step: 'Question {i} of {n}', next: 'Next', back: 'Back', cancel: 'Cancel', make: 'Make the overview',
      pick: 'Choose an answer to continue.', yes: 'Yes', no: 'No',
      fq: {
        child_age: 'How old is the child?',
        specialist_followup: 'Is the child in hospital, or followed up by the hospital or another specialist health service?',
        night_supervision: 'Does the child need supervision or care at night?',
        extra_care: 'Does the child need more care at home than is normal for their age?',
        medical_equipment: 'Does the child use medical equipment at home, such as a feeding tube or oxygen?',
        attendance_percent: 'How much of the time can the child be at kindergarten or school?',
        life_limiting: 'Does the child have a life-threatening or life-limiting illness (palliative care)?',
        parents: 'How many parents care for the child?', work: 'Parent {p}: what is their work situation?',
        siblings: 'Does the child have brothers or sisters living at home?', municipality: 'Which municipality do you live in?',
      },
      ageN: '{n} years', ageHint: 'Age in whole years, 0–25 (0 under 1 year).',
      att: ['All the time', 'Most of the time', 'About half', 'A little, less than half', 'Not at all at the moment', 'Not relevant (not in kindergarten or school)'],
      np: ['One parent', 'Two parents'],
      works: { employed: 'Employed', self_employed: 'Self-employed', freelance: 'Freelancer', student: 'Student', not_working: 'Not working' },
      muniHint: 'Choose from the list, or “All of Norway”.', loading: 'Making the overview …',
      ovLead: 'This may be relevant for you, based on your answers. The services themselves decide whether you are entitled.',
      ovCoord: 'Who can help you coordinate', ovNone: 'Based on your answers we found no schemes to suggest. The child coordinator (barnekoordinator) or service desk in your municipality can help you further.',
      fWhy: 'Why it may fit', fGives: 'What it gives', fDecides: 'Who decides', fHow: 'How to apply', fDocs: 'Documents',
      fDeadlines: 'Deadlines', fComplaint: 'Complaints', fKfrist: 'Deadline for complaints', fLocal: "The municipality's own pages",
      ovReady: 'The overview is ready.', edit2: 'Change the answers', backChat: 'Back to the conversation', pOv: 'Your overview – may be relevant for the family', pAns: 'Your answers',
    },
  };

  /* ---------- state (memory only: nothing is written to storage) ---------- */
  const S = {
    lang: I18N[ds.lang] ? ds.lang : 'nb',
    muni: /^\d{4}$/.test(ds.municipality || '') ? ds.municipality : '',
    kommuner: [], cid: null, turns: [], busy: false, ctrl: null, fnrOk: false, open: false, seq: 0,
  };
  const tr = (k, v) => {
    let s = I18N[S.lang][k];
    if (v) for (const x in v) s = s.replace('{' + x + '}', v[x]);
    return s;
  };
  const binds = [];
  /* Bind a translated text to an element property/attribute; re-applied on language change. */
  const bind = (el, attr, fn) => { binds.push([el, attr, fn]); setAttr(el, attr, fn()); return el; };
  const L = (k, v) => () => tr(k, v);
  function setAttr(el, attr, val) {
    if (attr === 'text') el.textContent = val; else el.setAttribute(attr, val);
  }

  /* ---------- DOM helper: elements and text nodes only, no HTML parsing ---------- */
  function h(tag, props, ...kids) {
    const el = document.createElement(tag);
    if (props) {
      for (const k in props) {
        const v = props[k];
        if (v == null || v === false) continue;
        if (k === 'class') el.className = v;
        else if (k === 'text') el.textContent = v;
        else if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v);
        else el.setAttribute(k, v === true ? '' : v);
      }
    }
    for (const c of kids.flat()) if (c != null && c !== false) el.append(c.nodeType ? c : String(c));
    return el;
  }
  const svg = (d, size) => {
    const NS = 'http://www.w3.org/2000/svg';
    const s = document.createElementNS(NS, 'svg');
    s.setAttribute('viewBox', '0 0 24 24'); s.setAttribute('width', size || 20); s.setAttribute('height', size || 20);
    s.setAttribute('aria-hidden', 'true'); s.setAttribute('focusable', 'false');
    const p = document.createElementNS(NS, 'path');
    p.setAttribute('d', d); p.setAttribute('fill', 'currentColor');
    s.append(p);
    return s;
  };
  const ICON = {
    chat: 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 1-2zm3 6v2h10V9H7zm0 4v2h7v-2H7z',
    close: 'M18.3 5.7 12 12l6.3 6.3-1.4 1.4L10.6 13.4 4.3 19.7l-1.4-1.4L9.2 12 2.9 5.7l1.4-1.4 6.3 6.3 6.3-6.3z',
    up: 'M2 21h4V9H2v12zm20-11a2 2 0 0 0-2-2h-6.3l1-4.6v-.3c0-.4-.2-.8-.4-1.1L13.2 1 6.6 7.6c-.4.4-.6.9-.6 1.4v10a2 2 0 0 0 2 2h9c.8 0 1.5-.5 1.8-1.2l3-7.1c.1-.2.2-.5.2-.7v-2z',
    send: 'M2 21 23 12 2 3v7l15 2-15 2z',
  };

  const safeUrl = (u) => {
    try { const x = new URL(String(u), location.href); return /^https?:$/.test(x.protocol) ? x.href : null; } catch (e) { return null; }
  };
  const host = (u) => { try { return new URL(u).hostname.replace(/^www\./, ''); } catch (e) { return ''; } };
  const locale = () => ({ nb: 'nb-NO', nn: 'nn-NO', en: 'en-GB' }[S.lang]);
  function fmtDate(v) {
    const d = new Date(v);
    if (isNaN(d)) return String(v);
    try { return d.toLocaleDateString(locale(), { day: 'numeric', month: 'long', year: 'numeric' }); } catch (e) { return d.toISOString().slice(0, 10); }
  }
  const extLink = (href, text, cls) => h('a', { href, target: '_blank', rel: 'noopener noreferrer', class: cls }, text,
    bind(h('span', { class: 'sr' }), 'text', () => ' ' + tr('newTab')));

  /* ---------- fødselsnummer (11 digits, mod-11 control digits) ---------- */
  function validFnr(d) {
    const n = Array.from(d, Number);
    const ctl = (w) => { let s = 0; w.forEach((x, i) => { s += x * n[i]; }); const k = 11 - (s % 11); return k === 11 ? 0 : k; };
    const k1 = ctl([3, 7, 6, 1, 8, 9, 4, 5, 2]);
    if (k1 === 10 || k1 !== n[9]) return false;
    const k2 = ctl([5, 4, 3, 2, 7, 6, 5, 4, 3, 2]);
    return k2 !== 10 && k2 === n[10];
  }
  function findFnr(s) {
    const re = /(\d{6}) ?(\d{5})/g;
    let m;
    while ((m = re.exec(s))) {
      const before = s[m.index - 1], after = s[m.index + m[0].length];
      if (!/\d/.test(before || '') && !/\d/.test(after || '') && validFnr(m[1] + m[2])) return m;
      re.lastIndex = m.index + 1;
    }
    return null;
  }

  /* ---------- safe markdown: never a link (crawled text is data; only citations link out) ---------- */
  const INLINE = /\[([^\]\n]+)\]\(\s*<?(https?:\/\/[^\s)<>]+)>?\s*\)|\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]|\*\*(.+?)\*\*|`([^`\n]+)`|(https?:\/\/[^\s<>"'()\]]*[^\s<>"'()\].,;:!?])|\*(?=\S)([^*\n]+?)\*(?!\*)/g;
  function inline(text, ctx, depth) {
    const out = [];
    let last = 0, m;
    const re = new RegExp(INLINE.source, 'g');
    while ((m = re.exec(text))) {
      if (m.index > last) out.push(text.slice(last, m.index));
      last = re.lastIndex;
      if (m[1] != null) out.push(m[1]);
      else if (m[3] != null) {
        const nums = m[3].split(/\s*[,;]\s*/).map(Number);
        if (ctx && nums.every((n) => ctx.byN.has(n))) nums.forEach((n) => out.push(citeBtn(ctx, n)));
        else out.push(m[0]);
      } else if (m[4] != null) out.push(h('strong', null, depth ? m[4] : inline(m[4], ctx, 1)));
      else if (m[5] != null) out.push(h('code', null, m[5]));
      else if (m[6] != null) out.push(m[6]);
      else if (m[7] != null) out.push(h('em', null, depth ? m[7] : inline(m[7], ctx, 1)));
    }
    if (last < text.length) out.push(text.slice(last));
    return out;
  }
  function markdown(text, ctx) {
    const frag = document.createDocumentFragment();
    let para = null, list = null, sub = null;
    const reset = () => { para = null; list = null; sub = null; };
    for (const raw of String(text || '').replace(/\r\n?/g, '\n').split('\n')) {
      const line = raw.replace(/\s+$/, '');
      let m;
      if (!line.trim()) { reset(); continue; }
      if ((m = line.match(/^ {0,3}(#{1,6})\s+(.*?)\s*#*$/))) {
        reset(); frag.append(h(m[1].length <= 2 ? 'h3' : 'h4', { class: 'md-h' }, inline(m[2], ctx))); continue;
      }
      if ((m = line.match(/^\s*\*\*([^*]+?)\*\*:?$/))) { reset(); frag.append(h('h4', { class: 'md-h' }, inline(m[1], ctx, 1))); continue; }
      if ((m = line.match(/^(\s*)([-*•+]|\d{1,2}[.)])\s+(.*)$/))) {
        const ordered = /\d/.test(m[2]);
        const li = h('li', null, inline(m[3], ctx));
        if (m[1].length >= 2 && list && list.lastChild) {
          if (!sub) { sub = h(ordered ? 'ol' : 'ul'); list.lastChild.append(sub); }
          sub.append(li);
        } else {
          if (!list || list.tagName !== (ordered ? 'OL' : 'UL')) { list = h(ordered ? 'ol' : 'ul'); frag.append(list); }
          sub = null; list.append(li);
        }
        para = null; continue;
      }
      if ((m = line.match(/^\s*>\s?(.*)$/))) { reset(); frag.append(h('blockquote', null, inline(m[1], ctx))); continue; }
      if (list && /^\s{2,}\S/.test(raw)) { (sub || list).lastChild.append(' ', ...inline(line.trim(), ctx)); continue; }
      if (!para) { list = sub = null; para = h('p'); frag.append(para); } else para.append(h('br'));
      para.append(...inline(line.trim(), ctx));
    }
    return frag;
  }

  /* ---------- styles (scoped to the shadow root) ---------- */
  const CSS = `
:host{all:initial;display:block;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1b1b1b}
*{box-sizing:border-box}
[hidden]{display:none!important}
.sr{position:absolute!important;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
button,input,select,textarea{font:inherit;color:inherit}
button{cursor:pointer}
:focus-visible{outline:3px solid #0b0c0c;outline-offset:2px}
a{color:#0b4f8a}
a:hover{color:#062f55}
.launcher{position:fixed;right:16px;bottom:16px;z-index:2147483000;display:flex;align-items:center;gap:8px;padding:12px 18px;border:2px solid #fff;border-radius:999px;background:#1f4e79;color:#fff;font-weight:600;box-shadow:0 4px 14px rgba(0,0,0,.3)}
.launcher:hover{background:#163a5c}
.panel{position:fixed;right:16px;bottom:84px;z-index:2147483001;width:min(420px,calc(100vw - 32px));height:min(680px,calc(100vh - 110px));display:flex;flex-direction:column;background:#fff;border:1px solid #b8c2cc;border-radius:14px;box-shadow:0 10px 40px rgba(0,0,0,.25);overflow:hidden}
.page{height:100%}
.page .panel{position:relative;right:auto;bottom:auto;width:100%;max-width:860px;height:100%;min-height:480px;margin:0 auto;box-shadow:none;border-radius:0;border-width:0 1px}
header{background:#1f4e79;color:#fff;padding:10px 12px 8px}
.top{display:flex;align-items:flex-start;gap:8px}
h2{flex:1;margin:2px 0 0;font-size:1.1rem;line-height:1.3}
.iconbtn{display:inline-flex;align-items:center;justify-content:center;min-width:40px;min-height:40px;border:1px solid transparent;border-radius:8px;background:transparent;color:#fff}
.iconbtn:hover{border-color:#fff}
header :focus-visible{outline-color:#fff}
.settings{display:flex;flex-wrap:wrap;align-items:center;gap:6px 12px;margin-top:4px;font-size:.875rem}
.settings label{display:flex;align-items:center;gap:6px}
.settings select,.settings input{min-height:34px;padding:2px 6px;border:1px solid #fff;border-radius:6px;background:#fff;color:#1b1b1b;font-size:16px}
.settings input{width:9em}
.muni-err{flex-basis:100%;margin:0;color:#fff;font-weight:600}
.tools{display:flex;flex-wrap:wrap;gap:6px}
.tool{min-height:36px;padding:4px 10px;border:1px solid #fff;border-radius:6px;background:transparent;color:#fff;font-size:.875rem}
.tool:hover{background:#163a5c}
.log,.flow{flex:1;overflow-y:auto;overscroll-behavior:contain;padding:12px;background:#f6f7f9}
.intro{margin:0 0 10px;font-size:.9rem;color:#3d3d3d}
.starters h3{margin:0 0 6px;font-size:.9rem;color:#3d3d3d}
.starters ul{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:6px}
.starter,.ov{width:100%;text-align:left;padding:10px 12px;border:1px solid #1f4e79;border-radius:10px;background:#fff;color:#0b4f8a;font-weight:600}
.starter:hover{background:#e8f0f8}
.msg{margin:0 0 12px;max-width:100%}
.user{margin-left:12%;padding:8px 12px;border-radius:12px 12px 2px 12px;background:#1f4e79;color:#fff;white-space:pre-wrap;overflow-wrap:anywhere}
.user p{margin:0}
.bot{margin-right:4%;padding:10px 12px;border-radius:12px 12px 12px 2px;background:#fff;border:1px solid #d5dbe1;overflow-wrap:anywhere}
.answer>:first-child{margin-top:0}.answer>:last-child{margin-bottom:0}
.answer p{margin:0 0 .6em}.answer ul,.answer ol{margin:0 0 .6em;padding-left:1.3em}
.md-h{margin:.8em 0 .3em;font-size:1rem;color:#1b1b1b}
.answer code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em;background:#eef1f4;padding:0 3px;border-radius:3px}
.answer blockquote{margin:0 0 .6em;padding-left:10px;border-left:3px solid #b8c2cc}
.no_answer .answer,.refused .answer{color:#3d3d3d}
.thinking{color:#4a4a4a;font-style:italic}
.cite{display:inline-block;min-width:1.7em;margin:0 1px;padding:0 5px;border:1px solid currentColor;border-radius:999px;font-size:.78em;font-weight:700;line-height:1.5;vertical-align:.1em;background:#eef1f4;color:#333}
.cite:hover{text-decoration:underline}
.s-health{--c:#c62828;--bg:#fdecea;--fg:#8c1d18}
.s-welfare{--c:#0067c5;--bg:#e3eefa;--fg:#0b4a8b}
.s-education{--c:#b07a00;--bg:#fff3d6;--fg:#6b4500}
.s-municipal{--c:#2e7d32;--bg:#e4f3e6;--fg:#1d5e22}
.s-legal{--c:#6f42a5;--bg:#f0e9f7;--fg:#4b2a72}
.s-other{--c:#6b6b6b;--bg:#eeeeee;--fg:#333333}
.cite[class*=s-],.badge{background:var(--bg);color:var(--fg)}
.badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:.78rem;font-weight:700;border:1px solid var(--c)}
.sources{margin-top:10px;border-top:1px solid #d5dbe1;padding-top:8px}
.sources summary{cursor:pointer;font-weight:600;color:#0b4f8a;display:flex;flex-wrap:wrap;align-items:center;gap:6px;padding:4px 0}
.sources summary .badge{font-weight:600}
.group h4{margin:10px 0 6px;font-size:.85rem}
.card,.scheme,.ai{position:relative;margin:0 0 8px;padding:8px 10px 8px 12px;border:1px solid #d5dbe1;border-left:5px solid var(--c,#1f4e79);border-radius:8px;background:#fff;font-size:.9rem}
.card:focus{outline:3px solid #0b0c0c;outline-offset:1px}
.card.hl{background:#fff8d1;box-shadow:0 0 0 3px var(--c)}
.card .n{font-weight:700;margin-right:4px}
.card .t{font-weight:600}
.card .meta{display:flex;flex-wrap:wrap;gap:4px 10px;margin-top:4px;color:#4a4a4a;font-size:.82rem}
.card .snip{margin:4px 0 0;color:#3d3d3d;font-size:.85rem;white-space:pre-line}
.card a{display:inline-block;margin-top:4px;font-weight:600}
.emergency{margin:0 0 10px;padding:10px 12px;border:2px solid #b00020;border-left-width:8px;border-radius:8px;background:#fdecea;color:#4d0a0a}
.emergency strong{display:block;font-size:1.1rem;margin-bottom:4px}
.emergency ul{margin:6px 0 0;padding:0;list-style:none}
.emergency li{margin:4px 0}
.emergency a{color:#8a0014;font-weight:700}
.fb{margin-top:10px;padding-top:8px;border-top:1px dashed #d5dbe1;font-size:.88rem}
.fb .row{display:flex;align-items:center;gap:6px;flex-wrap:wrap}
.thumb{display:inline-flex;align-items:center;gap:4px;min-height:36px;padding:4px 10px;border:1px solid #6b6b6b;border-radius:8px;background:#fff;color:#1b1b1b}
.thumb.down svg{transform:rotate(180deg)}
.thumb[aria-pressed=true]{background:#1f4e79;border-color:#1f4e79;color:#fff}
.fb textarea{display:block;width:100%;min-height:60px;margin:6px 0;padding:6px 8px;border:1px solid #6b6b6b;border-radius:6px;font-size:16px}
.fb label{display:block;margin-top:8px}
.btn{min-height:40px;padding:6px 14px;border:0;border-radius:8px;background:#1f4e79;color:#fff;font-weight:600}
.btn:hover{background:#163a5c}
.btn.sec{background:#fff;color:#1f4e79;border:1px solid #1f4e79}
.ok{color:#1d5e22;font-weight:600}
.err{margin:0 0 12px;padding:10px 12px;border-left:6px solid #b00020;border-radius:8px;background:#fdecea;color:#4d0a0a}
.err .btn{margin-top:6px}
.warn{margin:0;padding:10px 12px;background:#fff3d6;border-top:3px solid #b07a00;color:#3b2a00;font-size:.92rem}
.warn .row{display:flex;gap:8px;margin-top:8px;flex-wrap:wrap}
.ask{display:flex;gap:8px;align-items:flex-end;padding:10px 12px;border-top:1px solid #d5dbe1;background:#fff}
.ask textarea{flex:1;min-height:44px;max-height:140px;resize:none;padding:10px;border:1px solid #6b6b6b;border-radius:10px;font-size:16px;line-height:1.35}
.sendbtn{display:inline-flex;align-items:center;gap:6px;min-height:44px}
.sendbtn:disabled{background:#6b6b6b;cursor:not-allowed}
.foot{margin:0;padding:0 12px 8px;background:#fff;color:#4a4a4a;font-size:.75rem}
.print-frame{position:fixed;width:0;height:0;border:0;left:-9999px}
.ai p{margin:0}
.ov{margin-top:8px;background:#1f4e79;color:#fff}
.ov:hover{background:#163a5c}
.mt,.rev,.hint,.card .attr{margin:6px 0;font-size:.8rem;color:#4a4a4a}
.card .kind{font-weight:600;color:#1b1b1b}
.card .old{color:#7a3e00}
.card .off{margin:4px 0 0}.card .off a{margin:0}
.lb{margin-top:4px;font-size:.85rem}.lb ul{margin:2px 0 0;padding-left:1.2em}.card .lb a{margin:0;font-weight:400}
.fh{margin:0 0 6px;font-size:1.05rem}
.flow fieldset{margin:0;padding:0;border:0;min-width:0}
.flow legend,.q label{display:block;padding:0;margin:0 0 8px;font-weight:600}
.stepno{display:block;font-weight:400}
.opt{display:flex;align-items:center;gap:10px;margin:0 0 6px;padding:10px 12px;border:1px solid #6b6b6b;border-radius:10px;background:#fff;cursor:pointer}
.opt input{width:20px;height:20px;margin:0;flex:none;accent-color:#1f4e79}
.opt:has(input:checked){border-color:#1f4e79;box-shadow:0 0 0 2px #1f4e79}
.q input{width:100%;min-height:44px;padding:6px 10px;border:1px solid #6b6b6b;border-radius:8px;background:#fff;font-size:16px}
.flow .row{display:flex;flex-wrap:wrap;gap:8px;margin-top:12px}
.ferr{margin:6px 0 0;color:#8a0014;font-weight:600}
.notice{padding:8px 10px;border-left:4px solid #b07a00;border-radius:6px;background:#fff3d6;color:#3b2a00}
.flow h4{margin:14px 0 6px;font-size:.95rem}
.scheme h5{margin:0 0 4px;font-size:1rem}
.scheme dl{margin:0}.scheme dt{margin-top:6px;font-weight:700}.scheme dd{margin:0}.scheme dd p{margin:0}
.scheme ul{margin:2px 0;padding-left:1.2em}
.sub{font-size:.85rem}
@media (max-width:600px){
 .panel:not(.inline){right:0;bottom:0;left:0;top:0;width:100%;height:100%;max-height:none;border:0;border-radius:0}
 .open .launcher{display:none}
 .settings input{width:8em}
 .user{margin-left:6%}
}
@media (prefers-reduced-motion:no-preference){.card{transition:background .3s,box-shadow .3s}}
`;

  /* ---------- build the UI ---------- */
  const hostEl = document.createElement('div');
  hostEl.id = 'eti-widget';
  if (PAGE) hostEl.style.height = '100%';
  const shadow = hostEl.attachShadow({ mode: 'open' });
  shadow.append(h('style', { text: CSS }));
  const root = h('div', { class: 'eti' + (PAGE ? ' page' : ''), lang: S.lang });
  shadow.append(root);

  const launcher = PAGE ? null : h('button', {
    type: 'button', class: 'launcher', 'aria-expanded': 'false', 'aria-controls': 'eti-panel', 'aria-haspopup': 'dialog',
    onclick: () => (S.open ? close() : open()),
  }, svg(ICON.chat, 22), bind(h('span'), 'text', L('launcher')));

  const closeBtn = PAGE ? null : bind(h('button', { type: 'button', class: 'iconbtn close', onclick: () => close() }, svg(ICON.close)), 'aria-label', L('close'));
  const langSel = h('select', { class: 'lang', onchange: (e) => setLang(e.target.value) },
    Object.keys(LANGS).map((k) => h('option', { value: k, lang: k, selected: k === S.lang }, LANGS[k])));
  const muniList = h('datalist', { id: 'eti-kommuner' });
  const muniInput = h('input', {
    class: 'muni', type: 'text', list: 'eti-kommuner', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'eti-muni-err',
    onchange: () => muniChanged(true), oninput: () => muniChanged(false), onfocus: (e) => e.target.select(),
  });
  const muniErr = h('p', { class: 'muni-err', id: 'eti-muni-err', role: 'status', hidden: true });
  const newBtn = bind(h('button', { type: 'button', class: 'tool newchat', onclick: () => reset(true) }), 'text', L('newChat'));
  const printBtn = bind(h('button', { type: 'button', class: 'tool print', onclick: () => (F.on && F.res ? printOverview() : printChat()) }), 'text', L('print'));

  const header = h('header', null,
    h('div', { class: 'top' }, bind(h('h2', { id: 'eti-title' }), 'text', L('title')), closeBtn),
    h('div', { class: 'settings' },
      h('label', null, bind(h('span'), 'text', L('language')), langSel),
      h('label', null, bind(h('span'), 'text', L('muni')), muniInput), muniList, muniErr,
      h('div', { class: 'tools' }, newBtn, printBtn)));

  const log = h('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions text', tabindex: '-1' });
  const statusEl = h('p', { class: 'sr', role: 'status' });
  /* the AI disclosure (GET /v1/disclosure): first in the log, before and above the conversation */
  const noteP = h('p');
  const note = bind(h('div', { class: 'ai', role: 'note', hidden: true }, noteP), 'aria-label', L('about'));
  const flowEl = h('div', { class: 'flow', hidden: true });
  const input = h('textarea', { id: 'eti-input', rows: '1', maxlength: '2000', enterkeyhint: 'send', autocomplete: 'off' });
  bind(input, 'placeholder', L('placeholder'));
  const inputLabel = bind(h('label', { for: 'eti-input', class: 'sr' }), 'text', L('input'));
  const sendBtn = h('button', { type: 'submit', class: 'btn sendbtn' }, svg(ICON.send, 18), bind(h('span'), 'text', L('send')));
  const warn = h('div', { class: 'warn', role: 'alert', hidden: true });
  const form = h('form', { class: 'ask', onsubmit: (e) => { e.preventDefault(); submit(); } }, inputLabel, input, sendBtn);
  const foot = bind(h('p', { class: 'foot' }), 'text', L('disclaimer'));

  const panel = h('div', {
    class: 'panel' + (PAGE ? ' inline' : ''), id: 'eti-panel', role: PAGE ? 'region' : 'dialog', hidden: !PAGE,
  }, header, log, flowEl, statusEl, warn, form, foot);
  bind(panel, 'aria-label', L('dialog'));
  root.append(...[launcher, panel].filter(Boolean));

  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); submit(); }
  });
  input.addEventListener('input', () => {
    input.style.height = 'auto';
    input.style.height = Math.min(input.scrollHeight + 2, 140) + 'px';
    if (!warn.hidden && !findFnr(input.value)) { warn.hidden = true; S.fnrOk = false; }
  });
  root.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !PAGE && S.open) { e.stopPropagation(); close(); return; }
    if (e.key === 'Tab' && !PAGE && S.open && matchMedia('(max-width:600px)').matches) trapTab(e);
  });

  function trapTab(e) {
    const f = Array.from(panel.querySelectorAll('button,a[href],input,select,textarea,[tabindex="0"]'))
      .filter((el) => !el.disabled && el.getClientRects().length);
    if (!f.length) return;
    const first = f[0], last = f[f.length - 1], act = shadow.activeElement;
    if (e.shiftKey && act === first) { e.preventDefault(); last.focus(); } else if (!e.shiftKey && act === last) { e.preventDefault(); first.focus(); }
  }

  function open() {
    S.open = true;
    panel.hidden = false;
    root.classList.add('open');
    launcher.setAttribute('aria-expanded', 'true');
    loadKommuner();
    loadDisclosure();
    input.focus();
  }
  function close() {
    S.open = false;
    panel.hidden = true;
    root.classList.remove('open');
    launcher.setAttribute('aria-expanded', 'false');
    launcher.focus();
  }

  function setLang(l) {
    if (!I18N[l]) return;
    S.lang = l;
    root.setAttribute('lang', l);
    langSel.value = l;
    for (const [el, attr, fn] of binds) setAttr(el, attr, fn());
    showMuni();
    loadDisclosure();
    if (!S.turns.length) renderStarters();
    if (F.on) (F.res ? makeOverview() : renderStep());
  }

  /* ---------- municipality picker ---------- */
  let kommunerLoading = null;
  function loadKommuner() {
    if (kommunerLoading) return kommunerLoading;
    kommunerLoading = fetch(API + '/kommuner.json', { credentials: 'omit' })
      .then((r) => (r.ok ? r.json() : []))
      .then((list) => {
        S.kommuner = (Array.isArray(list) ? list : []).filter((k) => k && /^\d{4}$/.test(k.nummer) && k.navn);
        const coll = new Intl.Collator('nb');
        S.kommuner.sort((a, b) => coll.compare(a.navn, b.navn));
        muniList.replaceChildren(bind(h('option'), 'value', L('whole')),
          ...S.kommuner.map((k) => h('option', { value: k.navn, label: k.nummer + (k.samisk ? ' ' + k.samisk : '') })));
        showMuni();
      })
      .catch(() => {});
    return kommunerLoading;
  }
  const kommune = (nr) => S.kommuner.find((k) => k.nummer === nr);
  function showMuni() {
    const k = kommune(S.muni);
    muniInput.value = S.muni ? (k ? k.navn : S.muni) : tr('whole');
  }
  function resolveMuni(v) {
    v = v.trim().toLowerCase();
    if (!v || Object.values(I18N).some((x) => x.whole.toLowerCase() === v)) return '';
    const nr = v.match(/\b(\d{4})\b/);
    if (nr && (kommune(nr[1]) || !S.kommuner.length)) return nr[1];
    const k = S.kommuner.find((x) => x.navn.toLowerCase() === v || (x.samisk || '').toLowerCase() === v);
    return k ? k.nummer : undefined;
  }
  function muniChanged(commit) {
    const r = resolveMuni(muniInput.value);
    if (r !== undefined) {
      S.muni = r;
      muniErr.hidden = true;
      muniInput.removeAttribute('aria-invalid');
      if (commit) showMuni();
    } else if (commit) {
      muniErr.textContent = tr('muniBad');
      muniErr.hidden = false;
      muniInput.setAttribute('aria-invalid', 'true');
    }
  }

  /* ---------- conversation ---------- */
  function renderStarters() {
    log.replaceChildren(note,
      bind(h('p', { class: 'intro' }), 'text', L('intro')),
      h('div', { class: 'starters' }, h('h3', { text: tr('starters') }),
        h('ul', null, I18N[S.lang].q.map((q) => h('li', null, h('button', { type: 'button', class: 'starter', onclick: () => send(q) }, q)))),
        h('button', { type: 'button', class: 'ov', onclick: () => startFlow() }, tr('ovBtn'))));
  }

  /* ---------- disclosure ---------- */
  const DISC = {};
  function loadDisclosure() {
    const l = S.lang;
    if (!DISC[l]) {
      DISC[l] = fetch(API + '/v1/disclosure?language=' + l, { credentials: 'omit' })
        .then((r) => (r.ok ? r.json() : null)).catch(() => null);
      DISC[l].then((d) => { if (!d) delete DISC[l]; });
    }
    DISC[l].then((d) => { if (S.lang === l) showDisclosure(d); });
  }
  function showDisclosure(d) {
    S.disc = d && d.text ? d : null;
    let parts = [S.disc ? String(d.text) : tr('disclaimer')];
    for (const sv of (S.disc && Array.isArray(d.services) ? d.services : [])) {
      const ph = sv && sv.phone ? String(sv.phone) : '';
      if (!ph) continue;
      parts = parts.flatMap((x) => {
        const i = typeof x === 'string' ? x.indexOf(ph) : -1;
        return i < 0 ? [x] : [x.slice(0, i), h('a', { href: 'tel:' + ph.replace(/[^\d+]/g, '') }, ph), x.slice(i + ph.length)];
      });
    }
    noteP.replaceChildren(...parts);
    note.hidden = false;
  }
  const discText = () => (S.disc ? S.disc.text : tr('disclaimer'));

  function reset(focus) {
    if (S.ctrl) S.ctrl.abort();
    if (F.on) endFlow();
    S.ctrl = null; S.busy = false; S.cid = null; S.turns = []; S.fnrOk = false;
    warn.hidden = true;
    sendBtn.disabled = false;
    delete root.dataset.conversationId;
    renderStarters();
    statusEl.textContent = '';
    if (focus) input.focus();
  }

  function submit() {
    const q = input.value.trim();
    if (!q || S.busy) return;
    const m = !S.fnrOk && findFnr(q);
    if (m) { showFnrWarning(m); return; }
    send(q);
  }

  function showFnrWarning(m) {
    const editBtn = h('button', {
      type: 'button', class: 'btn sec', onclick: () => {
        warn.hidden = true;
        input.focus();
        const i = input.value.indexOf(m[0]);
        if (i >= 0) input.setSelectionRange(i, i + m[0].length);
      },
    });
    const anyway = h('button', { type: 'button', class: 'btn', onclick: () => { S.fnrOk = true; warn.hidden = true; submit(); } });
    warn.replaceChildren(bind(h('p', { style: 'margin:0' }), 'text', L('fnr')),
      h('div', { class: 'row' }, bind(editBtn, 'text', L('edit')), bind(anyway, 'text', L('sendAnyway'))));
    warn.hidden = false;
    editBtn.focus();
  }

  function send(q) {
    if (S.busy) return;
    if (F.on) endFlow();
    if (!S.turns.length) log.replaceChildren(note);
    input.value = '';
    input.style.height = '';
    S.fnrOk = false;
    warn.hidden = true;
    const t = {
      id: ++S.seq, q, text: '', citations: [], byN: new Map(), status: null, done: false,
      el: h('div', { class: 'msg bot', 'aria-busy': 'true' }),
    };
    t.answer = h('div', { class: 'answer' }, bind(h('p', { class: 'thinking' }), 'text', L('thinking')));
    t.el.append(bind(h('span', { class: 'sr' }), 'text', L('bot')), t.answer);
    S.turns.push(t);
    log.append(h('div', { class: 'msg user' }, bind(h('span', { class: 'sr' }), 'text', L('you')), h('p', null, q)), t.el);
    t.el.scrollIntoView({ block: 'nearest' });
    ask(t);
  }

  async function ask(t) {
    S.busy = true;
    sendBtn.disabled = true;
    const ctrl = (S.ctrl = new AbortController());
    const body = { question: t.q, stream: true, language: S.lang };
    if (S.cid) body.conversation_id = S.cid;
    if (S.muni) body.municipality = S.muni;
    if (SECTORS.length) body.sectors = SECTORS;
    try {
      const res = await fetch(API + '/v1/ask', {
        method: 'POST', credentials: 'omit', cache: 'no-store', signal: ctrl.signal,
        headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream, application/json' },
        body: JSON.stringify(body),
      });
      if (!res.ok) return fail(t, res.status, res.headers.get('Retry-After'));
      const ct = res.headers.get('Content-Type') || '';
      if (ct.includes('text/event-stream') && res.body) {
        await readSSE(res.body, (ev, data) => onEvent(t, ev, data));
        if (!t.done) {
          if (t.text) finish(t, {});
          else fail(t, 0);
        }
      } else {
        finish(t, await res.json());
      }
    } catch (e) {
      if (ctrl.signal.aborted) return;
      fail(t, 0);
    } finally {
      if (S.ctrl === ctrl) { S.ctrl = null; S.busy = false; sendBtn.disabled = false; }
    }
  }

  async function readSSE(stream, cb) {
    const reader = stream.getReader();
    const dec = new TextDecoder();
    let buf = '';
    const dispatch = (block) => {
      let ev = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (!line || line[0] === ':') continue;
        const i = line.indexOf(':');
        const field = i < 0 ? line : line.slice(0, i);
        let val = i < 0 ? '' : line.slice(i + 1);
        if (val[0] === ' ') val = val.slice(1);
        if (field === 'event') ev = val; else if (field === 'data') data.push(val);
      }
      if (data.length) cb(ev, data.join('\n'));
    };
    for (;;) {
      const { value, done } = await reader.read();
      buf += done ? dec.decode() : dec.decode(value, { stream: true });
      const hold = !done && buf.endsWith('\r');
      if (hold) buf = buf.slice(0, -1);
      buf = buf.replace(/\r\n?/g, '\n');
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) { dispatch(buf.slice(0, i)); buf = buf.slice(i + 2); }
      if (hold) buf += '\r';
      if (done) { if (buf.trim()) dispatch(buf); return; }
    }
  }

  function onEvent(t, ev, data) {
    let d;
    try { d = JSON.parse(data); } catch (e) { d = { text: data }; }
    if (ev === 'citations') {
      setCitations(t, d.citations);
      if (d.conversation_id) setCid(d.conversation_id);
      if (d.status) setStatus(t, d.status);
    } else if (ev === 'delta') {
      t.text += d.text || '';
      scheduleRender(t);
    } else if (ev === 'done') {
      finish(t, d);
    } else if (ev === 'error') {
      t.done = true;
      fail(t, d.status || 500);
    }
  }

  function setCid(cid) { S.cid = cid; root.dataset.conversationId = cid; }
  function setCitations(t, list) {
    t.citations = (Array.isArray(list) ? list : []).map((c, i) => Object.assign({}, c, { n: Number(c.n) || i + 1 }));
    t.byN = new Map(t.citations.map((c) => [c.n, c]));
  }
  function setStatus(t, st) {
    t.status = st;
    t.el.classList.add(String(st).replace(/[^a-z_]/g, ''));
    if (st === 'emergency' && !t.em) {
      t.em = h('div', { class: 'emergency', role: 'alert' },
        bind(h('strong'), 'text', L('emTitle')), bind(h('p', { style: 'margin:0' }), 'text', L('emText')),
        h('ul', null, TEL.map(([n], i) => h('li', null,
          bind(h('a', { href: 'tel:' + n }), 'text', () => I18N[S.lang].tel[i])))));
      t.el.insertBefore(t.em, t.el.firstChild);
    }
  }

  function scheduleRender(t) {
    if (t.raf) return;
    t.raf = requestAnimationFrame(() => { t.raf = 0; renderAnswer(t); });
  }
  function renderAnswer(t) {
    const stick = log.scrollHeight - log.scrollTop - log.clientHeight < 60;
    t.answer.replaceChildren(markdown(t.text, { byN: t.byN, t }));
    if (stick) log.scrollTop = log.scrollHeight;
  }

  function finish(t, r) {
    if (t.done) return;
    t.done = true;
    if (t.raf) { cancelAnimationFrame(t.raf); t.raf = 0; }
    if (typeof r.answer === 'string') t.text = r.answer;
    if (r.machine_translated) t.mt = true;
    if (Array.isArray(r.citations)) setCitations(t, r.citations);
    if (r.conversation_id) setCid(r.conversation_id);
    if (r.status) setStatus(t, r.status);
    renderAnswer(t);
    if (t.mt) t.el.append(bind(h('p', { class: 'mt' }), 'text', L('mt')));
    if (t.citations.length) t.el.append(sourcesBlock(t));
    if (S.cid) t.el.append(feedbackBlock(t));
    t.el.setAttribute('aria-busy', 'false');
    statusEl.textContent = tr('ready');
  }

  function fail(t, status, retryAfter) {
    t.done = true;
    t.el.remove();
    S.turns = S.turns.filter((x) => x !== t);
    let msg;
    const secs = parseInt(retryAfter, 10);
    if (status === 429) msg = secs > 0 ? L('errRate', { s: secs }) : L('errRate0');
    else if (status === 0) msg = L('errNet');
    else if (status >= 400 && status < 500) msg = L('errBad');
    else msg = L('errServer');
    const box = h('div', { class: 'err', role: 'alert' }, bind(h('p', { style: 'margin:0' }), 'text', msg));
    if (status !== 400 && status !== 422) {
      box.append(bind(h('button', {
        type: 'button', class: 'btn sec', onclick: () => { box.previousSibling && box.previousSibling.remove(); box.remove(); send(t.q); },
      }), 'text', L('retry')));
    }
    log.append(box);
    box.scrollIntoView({ block: 'nearest' });
  }

  /* ---------- citations and source cards ---------- */
  const sectorOf = (c) => (SECTOR_ORDER.includes(c.sector) ? c.sector : 'other');
  function citeBtn(ctx, n) {
    const c = ctx.byN.get(n);
    const b = h('button', { type: 'button', class: 'cite s-' + sectorOf(c), 'data-n': n, onclick: () => showSource(ctx.t, n) }, String(n));
    return bind(b, 'aria-label', () => tr('source') + ' ' + n + ': ' + (c.title || host(c.url)));
  }
  function showSource(t, n) {
    if (!t.sources) return;
    t.sources.open = true;
    const card = t.cards.get(n);
    if (!card) return;
    for (const c of t.cards.values()) c.classList.remove('hl');
    card.classList.add('hl');
    const smooth = matchMedia('(prefers-reduced-motion: no-preference)').matches;
    card.scrollIntoView({ block: 'nearest', behavior: smooth ? 'smooth' : 'auto' });
    card.focus({ preventScroll: true });
  }
  function sourcesBlock(t) {
    t.cards = new Map();
    const groups = {};
    for (const c of t.citations) (groups[sectorOf(c)] = groups[sectorOf(c)] || []).push(c);
    const order = SECTOR_ORDER.concat('other').filter((s) => groups[s]);
    const summary = h('summary', null,
      bind(h('span'), 'text', () => tr('sources') + ' (' + t.citations.length + ')'),
      order.map((s) => bind(h('span', { class: 'badge s-' + s }), 'text', () => tr('sec')[s])));
    t.sources = h('details', { class: 'sources' }, summary,
      order.map((s) => h('section', { class: 'group s-' + s },
        h('h4', null, bind(h('span', { class: 'badge s-' + s }), 'text', () => tr('sec')[s])),
        groups[s].map((c) => card(t, c, s)))));
    return t.sources;
  }
  /* kind "card" is ETI's own summary: labelled so, with the official page and the law underneath */
  function card(t, c, s) {
    const url = safeUrl(c.url);
    const own = c.kind === 'card';
    const meta = h('div', { class: 'meta' });
    if (own) meta.append(bind(h('span', { class: 'kind' }), 'text', () => cardLabel(c.reviewed)));
    else if (url) meta.append(h('span', { class: 'site' }, host(url)));
    if (c.section) meta.append(h('span', { class: 'sect' }, String(c.section)));
    if (c.last_modified && !own) meta.append(bind(h('span', { class: 'upd' }), 'text', () => tr('updated') + ' ' + fmtDate(c.last_modified)));
    if (c.outdated) meta.append(bind(h('strong', { class: 'old' }), 'text', L('outdated')));
    const snip = c.snippet ? String(c.snippet) : '';
    const el = h('article', { class: 'card s-' + s, id: 'eti-t' + t.id + '-s' + c.n, tabindex: '-1', 'data-n': c.n },
      h('div', null, h('span', { class: 'n' }, '[' + c.n + ']'), h('span', { class: 't' }, String(c.title || host(url) || ''))),
      meta,
      snip ? h('p', { class: 'snip' }, snip.length > 280 ? snip.slice(0, 277) + '…' : snip) : null,
      c.attribution ? h('p', { class: 'attr' }, String(c.attribution)) : null,
      url ? (own ? h('p', { class: 'off' }, extLink(url, [bind(h('span'), 'text', () => tr('official') + ': '), h('span', { class: 'site' }, host(url))], 'open'))
        : extLink(url, bind(h('span'), 'text', L('open')), 'open')) : null,
      lawList(c.legal_basis));
    bind(el, 'aria-label', () => tr('source') + ' ' + c.n + ', ' + tr('sec')[s] + ': ' + (c.title || ''));
    t.cards.set(c.n, el);
    return el;
  }
  const cardLabel = (d) => (d ? tr('cardBy', { d: fmtDate(d) }) : tr('cardBy0'));
  const lawName = (b) => [b.law, b.paragraph].filter(Boolean).join(' ') + (b.title ? ' – ' + b.title : '');
  function lawList(list, paper) {
    list = Array.isArray(list) ? list.filter((b) => b && (b.law || b.paragraph)) : [];
    if (!list.length) return null;
    return h('div', { class: 'lb' }, bind(h('span'), 'text', () => tr('legal') + ':'),
      h('ul', null, list.map((b) => h('li', null, linkOrText(b.url, lawName(b), paper)))));
  }
  /* http(s) only; on paper the address is written out */
  function linkOrText(u, text, paper) {
    const x = safeUrl(u);
    if (!x) return text;
    return paper ? [text, ' ', h('span', { class: 'url' }, x)] : extLink(x, text);
  }

  /* ---------- feedback ---------- */
  function feedbackBlock(t) {
    let rating = null;
    const cid = S.cid;
    const area = h('textarea', { id: 'eti-fb-' + t.id, maxlength: '1000' });
    const msg = h('p', { class: 'ok', role: 'status' });
    const sendFb = bind(h('button', { type: 'button', class: 'btn', onclick: () => submitFb() }), 'text', L('fbSend'));
    const more = h('div', { hidden: true },
      bind(h('label', { for: 'eti-fb-' + t.id }), 'text', L('fbComment')), area, sendFb);
    const thumb = (r, icon, key) => bind(h('button', {
      type: 'button', class: 'thumb ' + r, 'aria-pressed': 'false', onclick: (e) => {
        rating = r;
        for (const b of row.querySelectorAll('.thumb')) b.setAttribute('aria-pressed', String(b === e.currentTarget));
        more.hidden = false;
        area.focus();
      },
    }, svg(icon, 18)), 'aria-label', L(key));
    const row = h('div', { class: 'row' }, bind(h('span'), 'text', L('fbQ')), thumb('up', ICON.up, 'up'), thumb('down', ICON.up, 'down'));
    const box = h('div', { class: 'fb' }, row, more, msg);
    async function submitFb() {
      if (!rating) return;
      sendFb.disabled = true;
      const body = { conversation_id: cid, rating };
      const comment = area.value.trim();
      if (comment) body.comment = comment;
      try {
        const r = await fetch(API + '/v1/feedback', {
          method: 'POST', credentials: 'omit', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
        });
        if (!r.ok) throw new Error(r.status);
        row.remove(); more.remove();
        msg.className = 'ok';
        bind(msg, 'text', L('thanks'));
      } catch (e) {
        sendFb.disabled = false;
        msg.className = 'err';
        bind(msg, 'text', L('fbErr'));
      }
    }
    return box;
  }

  /* ---------- «Din oversikt» (POST /v1/overview): one question per step, fixed choices only; the answers
   * live in memory while the flow is open, nothing is kept unless the parent prints the overview ---------- */
  const YN = [[true, 'yes'], [false, 'no']];
  const STEPS = [
    { k: 'child_age', type: 'age' }, { k: 'specialist_followup' }, { k: 'night_supervision' }, { k: 'extra_care' },
    { k: 'medical_equipment' }, { k: 'attendance_percent', opts: () => [100, 75, 50, 25, 0, null].map((v, i) => [v, tr('att')[i]]) },
    { k: 'life_limiting' }, { k: 'parents', opts: () => [[1, tr('np')[0]], [2, tr('np')[1]]] },
    { k: 'work0', p: 1 }, { k: 'work1', p: 2, when: (a) => a.parents === 2 }, { k: 'siblings' },
    { k: 'municipality', type: 'muni' },
  ];
  const F = { on: false, i: 0, a: {}, res: null, ctrl: null };
  const steps = () => STEPS.filter((st) => !st.when || st.when(F.a));
  const qText = (st) => (st.p ? tr('fq').work.replace('{p}', st.p) : tr('fq')[st.k]);
  const ageText = (n) => tr('ageN', { n }).replace(/^1 years/, '1 year');
  function options(st) {
    if (st.opts) return st.opts();
    if (st.p) return Object.keys(tr('works')).map((w) => [w, tr('works')[w]]);
    return YN.map(([v, k]) => [v, tr(k)]);
  }
  function answerText(st) {
    const v = F.a[st.k];
    if (st.type === 'age') return ageText(v);
    if (st.type === 'muni') { const k = kommune(v); return v ? (k ? k.navn : v) : tr('whole'); }
    const o = options(st).find((x) => x[0] === v);
    return o ? o[1] : '';
  }

  function startFlow() {
    F.i = 0; F.res = null;
    F.a = { municipality: S.muni };
    showFlow(true);
    loadKommuner();
    renderStep();
  }
  function showFlow(on) {
    F.on = on;
    flowEl.hidden = !on; log.hidden = on; form.hidden = on;
    if (on) warn.hidden = true;
  }
  function endFlow(focus) {
    if (F.ctrl) F.ctrl.abort();
    F.a = {}; F.res = null; F.ctrl = null;
    flowEl.replaceChildren();
    showFlow(false);
    if (!S.turns.length) renderStarters();
    if (focus) { const b = log.querySelector('.ov'); (b || input).focus(); }
  }
  const flowHead = (intro) => [h('h3', { class: 'fh', tabindex: '-1' }, tr('ovTitle'))].concat(intro ? h('p', { class: 'intro' }, tr('ovIntro')) : []);
  const fbtn = (key, onclick, cls) => h('button', { type: 'button', class: 'btn' + (cls ? ' ' + cls : ''), onclick }, tr(key));

  function renderStep() {
    const list = steps();
    F.i = Math.min(F.i, list.length - 1);
    const st = list[F.i], last = F.i === list.length - 1;
    const id = 'eti-f-' + st.k, v = F.a[st.k];
    const err = h('p', { class: 'ferr', id: id + '-err', hidden: true });
    const num = h('span', { class: 'stepno' }, tr('step', { i: F.i + 1, n: list.length }));
    let body, ctl;
    if (st.type === 'age' || st.type === 'muni') {
      ctl = st.type === 'age'
        ? h('input', { id, type: 'number', inputmode: 'numeric', min: 0, max: 25, step: 1, autocomplete: 'off', value: v == null ? '' : v })
        : h('input', { id, type: 'text', list: 'eti-kommuner', autocomplete: 'off', spellcheck: 'false', value: answerText(st) });
      ctl.setAttribute('aria-describedby', id + '-hint ' + id + '-err');
      body = h('div', { class: 'q' }, h('label', { for: id }, num, h('span', { class: 'fq' }, qText(st))),
        h('p', { class: 'hint', id: id + '-hint' }, tr(st.type === 'muni' ? 'muniHint' : 'ageHint')), ctl, err);
    } else {
      body = h('fieldset', { 'aria-describedby': id + '-err' }, h('legend', null, num, h('span', { class: 'fq' }, qText(st))),
        options(st).map(([val], i) => h('label', { class: 'opt' },
          h('input', { type: 'radio', name: id, value: String(i), checked: v === val }), h('span', null, options(st)[i][1]))), err);
    }
    const f = h('form', { class: 'step', novalidate: true, onsubmit: (e) => { e.preventDefault(); nextStep(st, f, err, last); } }, body,
      h('div', { class: 'row' }, F.i ? fbtn('back', () => { F.i--; renderStep(); }, 'sec') : null,
        h('button', { type: 'submit', class: 'btn' }, tr(last ? 'make' : 'next')), fbtn('cancel', () => endFlow(true), 'sec')));
    flowEl.replaceChildren(...flowHead(F.i === 0), f);
    flowEl.scrollTop = 0;
    (f.querySelector('input:checked') || f.querySelector('input')).focus();
  }

  function nextStep(st, f, err, last) {
    let v;
    if (st.type === 'age') { const x = f.querySelector('input').value.trim(); v = /^\d{1,2}$/.test(x) && +x <= 25 ? +x : undefined; }
    else if (st.type === 'muni') v = resolveMuni(f.querySelector('input').value);
    else { const c = f.querySelector('input:checked'); v = c ? options(st)[Number(c.value)][0] : undefined; }
    if (v === undefined) {
      err.textContent = tr(st.type === 'muni' ? 'muniBad' : st.type === 'age' ? 'ageHint' : 'pick');
      err.hidden = false;
      const c = f.querySelector('input');
      c.setAttribute('aria-invalid', 'true');
      c.focus();
      return;
    }
    F.a[st.k] = v;
    if (st.type === 'muni') { S.muni = v; showMuni(); }
    if (last) makeOverview(); else { F.i++; renderStep(); }
  }

  function overviewBody() {
    const { work0, work1, parents, ...a } = F.a;
    return Object.assign(a, { parents: [work0, work1].slice(0, parents).map((work) => ({ work })), municipality: a.municipality || null, language: S.lang });
  }
  async function makeOverview() {
    if (F.ctrl) F.ctrl.abort();
    const ctrl = (F.ctrl = new AbortController());
    F.res = null;
    flowEl.replaceChildren(...flowHead(), h('p', { class: 'thinking' }, tr('loading')));
    statusEl.textContent = tr('loading');
    let st = 0;
    try {
      const r = await fetch(API + '/v1/overview', {
        method: 'POST', credentials: 'omit', cache: 'no-store', signal: ctrl.signal,
        headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(overviewBody()),
      });
      st = r.status;
      if (!r.ok) throw st;
      F.res = await r.json();
    } catch (e) {
      if (ctrl.signal.aborted) return;
      flowEl.replaceChildren(...flowHead(), h('div', { class: 'err', role: 'alert' },
        h('p', null, tr(st === 429 ? 'errRate0' : !st ? 'errNet' : st < 500 ? 'errBad' : 'errServer')),
        h('div', { class: 'row' }, fbtn('retry', () => makeOverview()), fbtn('edit2', () => renderStep(), 'sec'))));
      flowEl.querySelector('.err .btn').focus();
      return;
    } finally {
      if (F.ctrl === ctrl) F.ctrl = null;
    }
    renderResult();
  }

  const arr = (a) => (Array.isArray(a) ? a.filter(Boolean) : []);
  /* One scheme: why, what it gives, who decides, how to apply (+ documents), deadlines, complaint, law, pages. */
  function schemeEl(x, paper, hl) {
    const dl = [];
    const row = (key, ...v) => { if (v.some((y) => y)) dl.push(h('dt', null, tr(key)), h('dd', null, ...v)); };
    const list = (a) => (arr(a).length ? h('ul', null, arr(a).map((y) => h('li', null, y))) : null);
    const txt = (v) => (v ? String(v) : null);
    const c = x.complaint || {};
    row('fWhy', list(x.why));
    row('fGives', txt(x.gives));
    row('fDecides', txt(x.decides));
    row('fHow', x.how_to_apply ? h('p', null, txt(x.how_to_apply)) : null, list(x.documents) && [h('p', { class: 'sub' }, tr('fDocs') + ':'), list(x.documents)]);
    row('fDeadlines', txt(x.deadlines));
    row('fComplaint', txt(c.route), c.deadline ? h('p', { class: 'sub' }, tr('fKfrist') + ': ' + c.deadline) : null);
    row('legal', list(arr(x.legal_basis).map((b) => linkOrText(b.url, lawName(b), paper))));
    row('fLocal', list(arr(x.local_pages).filter((pg) => safeUrl(pg.url)).map((pg) => linkOrText(pg.url, String(pg.title || host(pg.url)), paper))));
    row('official', safeUrl(x.official_url) && linkOrText(x.official_url, host(x.official_url), paper));
    return h('article', { class: 'scheme s-' + sectorOf(x), 'data-id': x.id || null },
      h(hl, null, String(x.title || '')), h('dl', null, dl), h('p', { class: 'rev' }, cardLabel(x.reviewed)));
  }
  /* The schemes grouped by sector, then who can coordinate. */
  function overviewNodes(r, paper) {
    const out = [], schemes = arr(r.schemes), coord = arr(r.coordination);
    if (r.notice) out.push(h('p', { class: 'notice' }, String(r.notice)));
    out.push(h('p', null, schemes.length ? tr('ovLead') : tr('ovNone')));
    const hg = paper ? 'h2' : 'h4', hs = paper ? 'h3' : 'h5';
    for (const sec of SECTOR_ORDER.concat('other')) {
      const group = schemes.filter((x) => sectorOf(x) === sec);
      if (group.length) out.push(h('section', { class: 'group s-' + sec }, h(hg, null, paper ? tr('sec')[sec] : h('span', { class: 'badge s-' + sec }, tr('sec')[sec])), group.map((x) => schemeEl(x, paper, hs))));
    }
    if (coord.length) out.push(h('section', { class: 'group coord' }, h(hg, null, tr('ovCoord')), coord.map((x) => schemeEl(x, paper, hs))));
    return out;
  }
  function renderResult() {
    const res = F.res;
    flowEl.replaceChildren(...flowHead(), ...overviewNodes(res, false),
      h('div', { class: 'row' }, fbtn('print', () => printOverview()), fbtn('edit2', () => { F.res = null; F.i = 0; renderStep(); }, 'sec'),
        fbtn('backChat', () => endFlow(true), 'sec')));
    flowEl.scrollTop = 0;
    flowEl.querySelector('.fh').focus();
    statusEl.textContent = tr('ovReady');
  }

  /* ---------- print / save as PDF ---------- */
  const PRINT_CSS = 'body{font:12pt/1.45 Georgia,"Times New Roman",serif;color:#000;margin:1.5cm}h1{font-size:18pt;margin:0 0 4pt}' +
    '.meta{color:#333;margin:0 0 14pt}h2{font-size:13pt;margin:16pt 0 4pt;border-bottom:1px solid #999}h3,h4{font-size:12pt;margin:8pt 0 2pt}' +
    '.q{font-weight:bold}.src li{margin:0 0 4pt}.url{word-break:break-all;font-family:monospace;font-size:9.5pt}' +
    '.turn{page-break-inside:auto}.notes div{border-bottom:1px solid #999;height:22pt}.em,.notice{border:2px solid #000;padding:6pt}a{color:#000}' +
    '.scheme{break-inside:avoid;border-left:3px solid #000;padding:0 0 0 8pt;margin:0 0 12pt}dl{margin:0}dt{font-weight:bold;margin-top:4pt}' +
    'dd{margin:0}dd p{margin:0}ul{margin:2pt 0;padding-left:14pt}.rev,.sub{font-size:10pt}.lb ul{display:inline}.ans li{margin:0 0 2pt}';
  /* a hidden iframe: a clean document without scripts or buttons */
  function printDoc(title, nodes) {
    const old = shadow.querySelector('.print-frame');
    if (old) old.remove();
    const fr = h('iframe', { class: 'print-frame', 'aria-hidden': 'true', tabindex: '-1' });
    fr.title = tr('print');
    shadow.append(fr);
    const d = fr.contentDocument;
    d.documentElement.lang = S.lang;
    d.title = title;
    d.head.append(h('meta', { charset: 'utf-8' }), h('style', { text: PRINT_CSS }));
    const k = kommune(S.muni);
    d.body.replaceChildren(h('h1', null, title),
      h('p', { class: 'meta' }, tr('pDate') + ': ' + new Date().toLocaleString(locale()) + ' · ' + tr('muni') + ': ' +
        (S.muni ? (k ? k.navn + ' (' + S.muni + ')' : S.muni) : tr('whole'))),
      ...nodes,
      h('section', { class: 'notes' }, h('h2', null, tr('pNotes')), [1, 2, 3, 4, 5, 6].map(() => h('div'))),
      h('p', { class: 'meta' }, discText()));
    try { fr.contentWindow.focus(); fr.contentWindow.print(); } catch (e) { /* printing unavailable */ }
  }
  function printChat() {
    printDoc(tr('pTitle'), S.turns.filter((t) => t.done).map((t, i) => {
      const turn = h('section', { class: 'turn' }, h('h2', null, tr('pQ') + ' ' + (i + 1)), h('p', { class: 'q' }, t.q));
      if (t.status === 'emergency') turn.append(h('p', { class: 'em' }, tr('emTitle') + '. ' + I18N[S.lang].tel.join(' · ')));
      turn.append(h('h3', null, tr('pA')), h('div', null, markdown(t.text, null)), t.mt ? h('p', null, tr('mt')) : '');
      if (t.citations.length) {
        turn.append(h('h3', null, tr('sources')), h('ol', { class: 'src' }, t.citations.map((c) => h('li', { value: c.n },
          h('strong', null, String(c.title || '')), ' (' + tr('sec')[sectorOf(c)] + ')',
          c.kind === 'card' ? ' – ' + cardLabel(c.reviewed) : c.last_modified ? ' – ' + tr('updated') + ' ' + fmtDate(c.last_modified) : '',
          c.outdated ? ' – ' + tr('outdated') : '', c.attribution ? h('br') : '', c.attribution ? String(c.attribution) : '',
          h('br'), c.kind === 'card' ? tr('official') + ': ' : '', h('span', { class: 'url' }, safeUrl(c.url) || String(c.url || '')),
          lawList(c.legal_basis, true)))));
      }
      return turn;
    }));
  }
  function printOverview() {
    if (!F.res) return;
    const answers = steps().map((st) => h('li', null, qText(st) + ' ' + answerText(st)));
    printDoc(tr('pOv'), [h('h2', null, tr('pAns')), h('ul', { class: 'ans' }, answers), ...overviewNodes(F.res, true)]);
  }

  /* ---------- mount ---------- */
  function mount() {
    let target = null;
    if (PAGE && ds.target) target = document.querySelector(ds.target);
    if (PAGE && !target) target = document.getElementById('eti-chat');
    (target || document.body).append(hostEl);
    reset(false);
    showMuni();
    if (PAGE) { loadKommuner(); loadDisclosure(); input.focus({ preventScroll: true }); }
  }
  document.addEventListener('click', (e) => {
    const b = !PAGE && e.target.closest && e.target.closest('[data-eti-open]');
    if (b) { e.preventDefault(); if (!S.open) open(); }
  });
  window.ETI = { open: () => !PAGE && open(), close: () => !PAGE && close(), ask: (q) => { if (!PAGE && !S.open) open(); send(String(q)); } };
  if (document.body) mount(); else document.addEventListener('DOMContentLoaded', mount);
})();
