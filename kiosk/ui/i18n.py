"""Every string the totem shows, in every language it offers. Pure data; a test checks that
each language has every key. Arabic is written right to left and the layout mirrors."""

from __future__ import annotations

RTL = {"ar"}
# A language as another language names it, where the screen says it in a sentence.
LANGUAGE_IN = {
    "ar": {"en": "الإنجليزية", "it": "الإيطالية", "fr": "الفرنسية", "de": "الألمانية",
           "es": "الإسبانية"},
}  # fmt: skip

LANGUAGE_NAMES = {
    "it": "Italiano",
    "en": "English",
    "fr": "Français",
    "de": "Deutsch",
    "es": "Español",
    "ar": "العربية",
}

TEXTS: dict[str, dict[str, str]] = {
    "it": {
        "reach": "Più in basso",
        "reach_help": "Comandi più in basso, alla portata di chi è seduto",
        "speech_off": "Voce disattivata",
        "speak": "🔊 Voce",
        "speech_on": "Voce attiva: tocchi una volta per ascoltare, due volte per scegliere",
        "minutes": "minuti",
        "button": "pulsante",
        "keys_home": "Con il tastierino: 4 e 6 per scorrere, 5 per scegliere, 8 per riascoltare, 7 e 9 per il volume, 0 per spegnere la voce.",
        "keys_privacy": "Con il tastierino: 6 pagina successiva, 4 precedente, 5 per tornare all'inizio.",
        "more_time_title": "Le serve ancora tempo?",
        "more_time_help": "Tra {s} secondi si torna all'inizio.",
        "more_time": "Sì, ancora tempo",
        "volume": "Volume",
        "page_of": "Pagina {n} di {total}",
        "page_previous": "Pagina precedente",
        "page_next": "Pagina successiva",
        "quieter": "Più piano",
        "louder": "Più forte",
        "paper_language": "Il biglietto di carta è stampato in {language}",
        "choose": "Tocchi il servizio che le serve",
        "ahead": "{n} persone prima di lei",
        "ahead_one": "1 persona prima di lei",
        "ahead_none": "Nessuna attesa",
        "wait": "circa {m} min",
        "closed_until": "Chiuso, riapre alle {time}",
        "closed_day": "Chiuso, riapre {day} alle {time}",
        "closed": "Chiuso",
        "cap_reached": "Biglietti esauriti per oggi",
        "closing": "Biglietti esauriti per oggi",
        "printer": "Stampante non disponibile",
        "your_ticket": "Il suo numero",
        "number_is": "Il suo numero è {ticket}",
        "take_ticket": "Prenda il biglietto qui sotto",
        "photo_ticket": "Stampante non disponibile: fotografi questo numero e il codice",
        "back": "Indietro",
        "privacy": "Privacy",
        "large_text": "Testo grande",
        "state_on": "sì",
        "state_off": "no",
        "speech_name": "Voce",
        "high_contrast": "Alto contrasto",
        "contrast_short": "Contrasto",
        "scan_reentry": "Bentornato: è in coda con priorità",
        "scan_requeued": "È di nuovo in coda, sarà chiamato a breve",
        "scan_checkin": "Appuntamento registrato",
        "scan_too_early": "È in anticipo: torni dopo le {time}",
        "scan_too_late": "L'orario dell'appuntamento è passato",
        "scan_too_late_walkin": "Può prendere un biglietto normale:",
        "scan_rejected": "Codice non riconosciuto",
        "scan_still_waiting": "Questo biglietto è ancora in coda: attenda la chiamata",
        "scan_already_returned": "Questo biglietto è già stato usato per tornare",
        "scan_other_day": "Questo biglietto non è di oggi",
        "scan_service_closed": "Il servizio è chiuso adesso",
        "out_of_order": "Totem fuori servizio",
        "out_of_order_help": "Chieda al personale allo sportello. Ci scusiamo per il disagio.",
        "not_configured": "Totem non configurato",
        "not_configured_help": "Il tecnico lo configura come dice docs/technician.md. Chieda al personale allo sportello.",
        "host_away": "Questo totem non raggiunge la coda dell'ufficio",
        "host_away_help": "Usi l'altro totem, o chieda allo sportello. Nessun biglietto è stato stampato qui.",
        "staff_paper_low": "Carta in esaurimento",
        "privacy_title": "Informativa sul trattamento dei dati",
        "privacy_body": (
            "Titolare: {controller}. Responsabile della protezione dei dati: {dpo}.\n\n"
            "Finalità e base giuridica: gestire la coda allo sportello, compito di interesse pubblico "
            "(art. 6(1)(e) GDPR).\n\n"
            "Dati trattati: numero del biglietto, servizio, orari. Nessun dato che la identifichi. "
            "I codici di prenotazione sono usati solo in forma cifrata (hash).\n\n"
            "Destinatari: il gestore del sistema centrale, come responsabile del trattamento, riceve solo "
            "i numeri dei biglietti con il servizio all'emissione, gli arrivi su appuntamento e i dati di "
            "attesa per servizio (gli stessi degli schermi in sala d'attesa, e totali orari su almeno "
            "cinque persone); non sa mai chi è lei né quale sportello ha gestito la sua pratica.\n\n"
            "Conservazione: sul totem fino a fine giornata, poi cancellati; sul sistema centrale i numeri "
            "dei biglietti per 7 giorni (per verificare un reclamo), poi solo i totali per ora.\n\n"
            "Diritti: accesso, rettifica, cancellazione, limitazione, opposizione (artt. 15-22 GDPR) "
            "e reclamo al Garante per la protezione dei dati personali. Nessuna decisione automatizzata.\n\n"
            "Personale: gli sportelli sono dispositivi numerati; nessuna prestazione individuale è misurata."
        ),
    },
    "en": {
        "reach": "Lower",
        "reach_help": "Controls lower down, within reach when seated",
        "speech_off": "Speech off",
        "speak": "🔊 Speak",
        "speech_on": "Speech on: touch once to hear, twice to choose",
        "minutes": "minutes",
        "button": "button",
        "keys_home": "On the keypad: 4 and 6 move, 5 chooses, 8 repeats, 7 and 9 set the volume, 0 turns speech off.",
        "keys_privacy": "On the keypad: 6 next page, 4 previous page, 5 back to the start.",
        "more_time_title": "Do you need more time?",
        "more_time_help": "Going back to the start in {s} seconds.",
        "more_time": "Yes, more time",
        "volume": "Volume",
        "page_of": "Page {n} of {total}",
        "page_previous": "Previous page",
        "page_next": "Next page",
        "quieter": "Quieter",
        "louder": "Louder",
        "paper_language": "The paper ticket is printed in {language}",
        "choose": "Touch the service you need",
        "ahead": "{n} people ahead of you",
        "ahead_one": "1 person ahead of you",
        "ahead_none": "No wait",
        "wait": "about {m} min",
        "closed_until": "Closed, opens at {time}",
        "closed_day": "Closed, opens {day} at {time}",
        "closed": "Closed",
        "cap_reached": "No more tickets today",
        "closing": "No more tickets today",
        "printer": "Printer unavailable",
        "your_ticket": "Your number",
        "number_is": "Your number is {ticket}",
        "take_ticket": "Take your ticket below",
        "photo_ticket": "The printer is unavailable: take a photo of this number and code",
        "back": "Back",
        "privacy": "Privacy",
        "large_text": "Large text",
        "state_on": "on",
        "state_off": "off",
        "speech_name": "Speech",
        "high_contrast": "High contrast",
        "contrast_short": "Contrast",
        "scan_reentry": "Welcome back: you are in the queue with priority",
        "scan_requeued": "You are back in the queue and will be called shortly",
        "scan_checkin": "Appointment checked in",
        "scan_too_early": "You are early: please come back after {time}",
        "scan_too_late": "Your appointment time has passed",
        "scan_too_late_walkin": "You can take a normal ticket:",
        "scan_rejected": "Code not recognised",
        "scan_still_waiting": "This ticket is still in the queue: please wait to be called",
        "scan_already_returned": "This ticket has already been used to come back",
        "scan_other_day": "This ticket is not from today",
        "scan_service_closed": "The service is closed now",
        "out_of_order": "Out of order",
        "out_of_order_help": "Please ask the staff at the desk. We are sorry for the inconvenience.",
        "not_configured": "Totem not configured",
        "not_configured_help": "A technician configures it as docs/technician.md says. Please ask the staff at the desk.",
        "host_away": "This totem cannot reach the office's queue",
        "host_away_help": "Please use the other totem, or ask at the desk. No ticket was printed here.",
        "staff_paper_low": "Paper running low",
        "privacy_title": "How we process data",
        "privacy_body": (
            "Controller: {controller}. Data protection officer: {dpo}.\n\n"
            "Purpose and legal basis: running the queue at the desks, a task in the public interest "
            "(art. 6(1)(e) GDPR).\n\n"
            "Data processed: ticket number, service, times. Nothing that identifies you. Booking codes "
            "are only used as hashes.\n\n"
            "Recipients: the central system's operator, as processor, receives only ticket numbers with "
            "their service at issue, appointment check-ins and waiting figures per service (the same shown "
            "on the waiting-room screens, and hourly totals over at least five people); it never learns who"
            " you are or which desk served you.\n\n"
            "Retention: on the totem until the end of the day, then deleted; centrally, ticket numbers for "
            "7 days (to check a complaint), then only totals per hour.\n\n"
            "Your rights: access, rectification, erasure, restriction, objection (arts. 15-22 GDPR) and a "
            "complaint to the Garante per la protezione dei dati personali. No automated decisions.\n\n"
            "Staff: desks are numbered devices; no individual performance is measured."
        ),
    },
    "fr": {
        "reach": "Plus bas",
        "reach_help": "Commandes plus bas, à portée en position assise",
        "speech_off": "Voix désactivée",
        "speak": "🔊 Voix",
        "speech_on": "Voix activée : touchez une fois pour écouter, deux fois pour choisir",
        "minutes": "minutes",
        "button": "bouton",
        "keys_home": "Sur le clavier : 4 et 6 pour se déplacer, 5 pour choisir, 8 pour réécouter, 7 et 9 pour le volume, 0 pour couper la voix.",
        "keys_privacy": "Sur le clavier : 6 page suivante, 4 page précédente, 5 retour au début.",
        "more_time_title": "Avez-vous besoin de plus de temps ?",
        "more_time_help": "Retour au début dans {s} secondes.",
        "more_time": "Oui, plus de temps",
        "volume": "Volume",
        "page_of": "Page {n} sur {total}",
        "page_previous": "Page précédente",
        "page_next": "Page suivante",
        "quieter": "Moins fort",
        "louder": "Plus fort",
        "paper_language": "Le ticket papier est imprimé en {language}",
        "choose": "Touchez le service dont vous avez besoin",
        "ahead": "{n} personnes avant vous",
        "ahead_one": "1 personne avant vous",
        "ahead_none": "Pas d'attente",
        "wait": "environ {m} min",
        "closed_until": "Fermé, ouvre à {time}",
        "closed_day": "Fermé, ouvre {day} à {time}",
        "closed": "Fermé",
        "cap_reached": "Plus de tickets aujourd'hui",
        "closing": "Plus de tickets aujourd'hui",
        "printer": "Imprimante indisponible",
        "your_ticket": "Votre numéro",
        "number_is": "Votre numéro est le {ticket}",
        "take_ticket": "Prenez votre ticket ci-dessous",
        "photo_ticket": "Imprimante indisponible : photographiez ce numéro et ce code",
        "back": "Retour",
        "privacy": "Confidentialité",
        "large_text": "Grand texte",
        "state_on": "activé",
        "state_off": "désactivé",
        "speech_name": "Voix",
        "high_contrast": "Contraste élevé",
        "contrast_short": "Contraste",
        "scan_reentry": "Bon retour : vous êtes dans la file en priorité",
        "scan_requeued": "Vous êtes de nouveau dans la file, vous serez appelé bientôt",
        "scan_checkin": "Rendez-vous enregistré",
        "scan_too_early": "Vous êtes en avance : revenez après {time}",
        "scan_too_late": "L'heure de votre rendez-vous est passée",
        "scan_too_late_walkin": "Vous pouvez prendre un ticket normal :",
        "scan_rejected": "Code non reconnu",
        "scan_still_waiting": "Ce ticket est encore dans la file : attendez l'appel",
        "scan_already_returned": "Ce ticket a déjà servi pour revenir",
        "scan_other_day": "Ce ticket n'est pas d'aujourd'hui",
        "scan_service_closed": "Le service est fermé maintenant",
        "out_of_order": "Hors service",
        "out_of_order_help": "Adressez-vous au personnel au guichet. Veuillez nous excuser.",
        "not_configured": "Borne non configurée",
        "not_configured_help": "Un technicien la configure selon docs/technician.md. Adressez-vous au personnel au guichet.",
        "host_away": "Cette borne n'atteint pas la file du bureau",
        "host_away_help": "Utilisez l'autre borne, ou demandez au guichet. Aucun ticket n'a été imprimé ici.",
        "staff_paper_low": "Papier bientôt épuisé",
        "privacy_title": "Traitement des données",
        "privacy_body": (
            "Responsable : {controller}. Délégué à la protection des données : {dpo}.\n\n"
            "Finalité et base légale : gérer la file aux guichets, mission d'intérêt public "
            "(art. 6(1)(e) RGPD).\n\n"
            "Données : numéro de ticket, service, heures. Rien qui vous identifie. Les codes de "
            "réservation ne sont utilisés que sous forme d'empreinte (hash).\n\n"
            "Destinataires : l'opérateur du système central, sous-traitant, reçoit seulement les numéros de"
            " ticket avec leur service à l'émission, les arrivées enregistrées pour les rendez-vous et les "
            "données d'attente par service (celles des écrans de la salle d'attente, et des totaux horaires"
            " sur au moins cinq personnes) ; il n'apprend jamais qui vous êtes ni quel guichet a traité "
            "votre demande.\n\n"
            "Conservation : sur la borne jusqu'à la fin de la journée, puis effacées ; au centre, les numéros de ticket "
            "7 jours (pour vérifier une réclamation), puis seulement des totaux par heure.\n\n"
            "Vos droits : accès, rectification, effacement, limitation, opposition (art. 15-22 RGPD) et "
            "réclamation auprès du Garante. Aucune décision automatisée.\n\n"
            "Personnel : les guichets sont des appareils numérotés ; aucune performance individuelle n'est mesurée."
        ),
    },
    "de": {
        "reach": "Tiefer",
        "reach_help": "Bedienelemente tiefer, im Sitzen erreichbar",
        "speech_off": "Sprachausgabe aus",
        "speak": "🔊 Sprache",
        "speech_on": "Sprachausgabe an: einmal tippen zum Hören, zweimal zum Wählen",
        "minutes": "Minuten",
        "button": "Taste",
        "keys_home": "Auf dem Tastenfeld: 4 und 6 bewegen, 5 wählt, 8 wiederholt, 7 und 9 Lautstärke, 0 schaltet die Sprache aus.",
        "keys_privacy": "Auf dem Tastenfeld: 6 nächste Seite, 4 vorige Seite, 5 zurück zum Anfang.",
        "more_time_title": "Brauchen Sie mehr Zeit?",
        "more_time_help": "In {s} Sekunden geht es zurück zum Anfang.",
        "more_time": "Ja, mehr Zeit",
        "volume": "Lautstärke",
        "page_of": "Seite {n} von {total}",
        "page_previous": "Vorherige Seite",
        "page_next": "Nächste Seite",
        "quieter": "Leiser",
        "louder": "Lauter",
        "paper_language": "Das Papierticket ist auf {language} gedruckt",
        "choose": "Tippen Sie auf den gewünschten Dienst",
        "ahead": "{n} Personen vor Ihnen",
        "ahead_one": "1 Person vor Ihnen",
        "ahead_none": "Keine Wartezeit",
        "wait": "etwa {m} Min.",
        "closed_until": "Geschlossen, öffnet um {time}",
        "closed_day": "Geschlossen, öffnet {day} um {time}",
        "closed": "Geschlossen",
        "cap_reached": "Heute keine Nummern mehr",
        "closing": "Heute keine Nummern mehr",
        "printer": "Drucker nicht verfügbar",
        "your_ticket": "Ihre Nummer",
        "number_is": "Ihre Nummer ist {ticket}",
        "take_ticket": "Nehmen Sie Ihr Ticket unten",
        "photo_ticket": "Drucker nicht verfügbar: Fotografieren Sie Nummer und Code",
        "back": "Zurück",
        "privacy": "Datenschutz",
        "large_text": "Große Schrift",
        "state_on": "an",
        "state_off": "aus",
        "speech_name": "Sprache",
        "high_contrast": "Hoher Kontrast",
        "contrast_short": "Kontrast",
        "scan_reentry": "Willkommen zurück: Sie sind mit Vorrang in der Warteschlange",
        "scan_requeued": "Sie sind wieder in der Warteschlange und werden gleich aufgerufen",
        "scan_checkin": "Termin angemeldet",
        "scan_too_early": "Sie sind zu früh: Bitte kommen Sie nach {time} wieder",
        "scan_too_late": "Ihr Termin ist vorbei",
        "scan_too_late_walkin": "Sie können eine normale Nummer ziehen:",
        "scan_rejected": "Code nicht erkannt",
        "scan_still_waiting": "Diese Nummer ist noch in der Warteschlange: Bitte warten Sie",
        "scan_already_returned": "Diese Nummer wurde schon für eine Rückkehr benutzt",
        "scan_other_day": "Diese Nummer ist nicht von heute",
        "scan_service_closed": "Der Dienst ist jetzt geschlossen",
        "out_of_order": "Außer Betrieb",
        "out_of_order_help": "Bitte wenden Sie sich an das Personal am Schalter. Entschuldigung.",
        "not_configured": "Terminal nicht eingerichtet",
        "not_configured_help": "Ein Techniker richtet es nach docs/technician.md ein. Bitte wenden Sie sich an das Personal am Schalter.",
        "host_away": "Dieser Automat erreicht die Warteschlange nicht",
        "host_away_help": "Bitte nutzen Sie den anderen Automaten oder fragen Sie am Schalter. Hier wurde kein Ticket gedruckt.",
        "staff_paper_low": "Papier geht zur Neige",
        "privacy_title": "Datenverarbeitung",
        "privacy_body": (
            "Verantwortlicher: {controller}. Datenschutzbeauftragter: {dpo}.\n\n"
            "Zweck und Rechtsgrundlage: Verwaltung der Warteschlange, Aufgabe im öffentlichen Interesse "
            "(Art. 6 Abs. 1 lit. e DSGVO).\n\n"
            "Verarbeitete Daten: Nummer, Dienst, Uhrzeiten. Nichts, was Sie identifiziert. "
            "Buchungscodes nur als Hash.\n\n"
            "Empfänger: der Betreiber des Zentralsystems als Auftragsverarbeiter erhält nur Nummern samt "
            "Dienst bei der Ausgabe, Anmeldungen zu Terminen und Wartezeitangaben je Dienst (wie auf den "
            "Bildschirmen im Wartebereich, dazu stündliche Summen über mindestens fünf Personen); er "
            "erfährt nie, wer Sie sind oder welcher Schalter Sie bedient hat.\n\n"
            "Speicherdauer: auf dem Gerät bis Tagesende, dann gelöscht; zentral Ticketnummern 7 Tage (zur Prüfung einer "
            "Beschwerde), danach nur Summen pro Stunde.\n\n"
            "Ihre Rechte: Auskunft, Berichtigung, Löschung, Einschränkung, Widerspruch (Art. 15-22 DSGVO) "
            "und Beschwerde beim Garante. Keine automatisierten Entscheidungen.\n\n"
            "Personal: Schalter sind nummerierte Geräte; keine individuelle Leistung wird gemessen."
        ),
    },
    "es": {
        "reach": "Más abajo",
        "reach_help": "Controles más abajo, al alcance sentado",
        "speech_off": "Voz desactivada",
        "speak": "🔊 Voz",
        "speech_on": "Voz activada: toque una vez para oír, dos veces para elegir",
        "minutes": "minutos",
        "button": "botón",
        "keys_home": "En el teclado: 4 y 6 para moverse, 5 para elegir, 8 para repetir, 7 y 9 para el volumen, 0 para apagar la voz.",
        "keys_privacy": "En el teclado: 6 página siguiente, 4 página anterior, 5 volver al inicio.",
        "more_time_title": "¿Necesita más tiempo?",
        "more_time_help": "Se vuelve al inicio en {s} segundos.",
        "more_time": "Sí, más tiempo",
        "volume": "Volumen",
        "page_of": "Página {n} de {total}",
        "page_previous": "Página anterior",
        "page_next": "Página siguiente",
        "quieter": "Más bajo",
        "louder": "Más alto",
        "paper_language": "El número en papel está impreso en {language}",
        "choose": "Toque el servicio que necesita",
        "ahead": "{n} personas delante de usted",
        "ahead_one": "1 persona delante de usted",
        "ahead_none": "Sin espera",
        "wait": "unos {m} min",
        "closed_until": "Cerrado, abre a las {time}",
        "closed_day": "Cerrado, abre el {day} a las {time}",
        "closed": "Cerrado",
        "cap_reached": "No quedan números hoy",
        "closing": "No quedan números hoy",
        "printer": "Impresora no disponible",
        "your_ticket": "Su número",
        "number_is": "Su número es el {ticket}",
        "take_ticket": "Recoja su tique abajo",
        "photo_ticket": "Impresora no disponible: fotografíe este número y el código",
        "back": "Volver",
        "privacy": "Privacidad",
        "large_text": "Texto grande",
        "state_on": "sí",
        "state_off": "no",
        "speech_name": "Voz",
        "high_contrast": "Alto contraste",
        "contrast_short": "Contraste",
        "scan_reentry": "Bienvenido de nuevo: está en la cola con prioridad",
        "scan_requeued": "Está de nuevo en la cola, le llamarán en breve",
        "scan_checkin": "Cita registrada",
        "scan_too_early": "Llega pronto: vuelva después de las {time}",
        "scan_too_late": "La hora de su cita ha pasado",
        "scan_too_late_walkin": "Puede sacar un número normal:",
        "scan_rejected": "Código no reconocido",
        "scan_still_waiting": "Este tique sigue en la cola: espere a que le llamen",
        "scan_already_returned": "Este tique ya se usó para volver",
        "scan_other_day": "Este tique no es de hoy",
        "scan_service_closed": "El servicio está cerrado ahora",
        "out_of_order": "Fuera de servicio",
        "out_of_order_help": "Pregunte al personal en la ventanilla. Disculpe las molestias.",
        "not_configured": "Tótem no configurado",
        "not_configured_help": "Un técnico lo configura según docs/technician.md. Pregunte al personal en la ventanilla.",
        "host_away": "Este tótem no llega a la cola de la oficina",
        "host_away_help": "Use el otro tótem o pregunte en la ventanilla. Aquí no se imprimió ningún número.",
        "staff_paper_low": "Queda poco papel",
        "privacy_title": "Tratamiento de datos",
        "privacy_body": (
            "Responsable: {controller}. Delegado de protección de datos: {dpo}.\n\n"
            "Finalidad y base jurídica: gestionar la cola, misión de interés público "
            "(art. 6(1)(e) RGPD).\n\n"
            "Datos: número de tique, servicio, horas. Nada que le identifique. Los códigos de reserva "
            "solo se usan cifrados (hash).\n\n"
            "Destinatarios: el operador del sistema central, como encargado, recibe solo los números de "
            "tique con su servicio al emitirse, los registros de llegada con cita y los datos de espera por"
            " servicio (los mismos de las pantallas de la sala de espera, y totales por hora sobre al menos"
            " cinco personas); nunca sabe quién es usted ni qué ventanilla gestionó su trámite.\n\n"
            "Conservación: en el tótem hasta el final del día, luego se borran; en el centro, los números de ticket "
            "7 días (para comprobar una reclamación), después solo totales por hora.\n\n"
            "Sus derechos: acceso, rectificación, supresión, limitación, oposición (arts. 15-22 RGPD) y "
            "reclamación ante el Garante. Sin decisiones automatizadas.\n\n"
            "Personal: las ventanillas son dispositivos numerados; no se mide ningún rendimiento individual."
        ),
    },
    "ar": {
        "reach": "أخفض",
        "reach_help": "عناصر التحكم في الأسفل، في متناول الجالس",
        "speech_off": "تم إيقاف الصوت",
        "speak": "🔊 صوت",
        "speech_on": "الصوت مفعّل: المس مرة للاستماع ومرتين للاختيار",
        "minutes": "دقيقة",
        "button": "زر",
        "keys_home": "على لوحة المفاتيح: 4 و6 للتنقل، 5 للاختيار، 8 للإعادة، 7 و9 لمستوى الصوت، 0 لإيقاف الصوت.",
        "keys_privacy": "على لوحة المفاتيح: 6 الصفحة التالية، 4 الصفحة السابقة، 5 العودة إلى البداية.",
        "more_time_title": "هل تحتاج إلى مزيد من الوقت؟",
        "more_time_help": "العودة إلى البداية بعد {s} ثانية.",
        "more_time": "نعم، مزيد من الوقت",
        "volume": "مستوى الصوت",
        "page_of": "صفحة {n} من {total}",
        "page_previous": "الصفحة السابقة",
        "page_next": "الصفحة التالية",
        "quieter": "أخفض",
        "louder": "أعلى",
        "paper_language": "التذكرة الورقية مطبوعة باللغة: {language}",
        "choose": "المس الخدمة التي تحتاجها",
        "ahead": "أمامك {n} أشخاص",
        "ahead_one": "أمامك شخص واحد",
        "ahead_none": "لا يوجد انتظار",
        "wait": "حوالي {m} دقيقة",
        "closed_until": "مغلق، يفتح الساعة {time}",
        "closed_day": "مغلق، يفتح {day} الساعة {time}",
        "closed": "مغلق",
        "cap_reached": "لا توجد تذاكر أخرى اليوم",
        "closing": "لا توجد تذاكر أخرى اليوم",
        "printer": "الطابعة غير متاحة",
        "your_ticket": "رقمك",
        "number_is": "رقمك هو {ticket}",
        "take_ticket": "خذ تذكرتك من الأسفل",
        "photo_ticket": "الطابعة غير متاحة: التقط صورة لهذا الرقم والرمز",
        "back": "رجوع",
        "privacy": "الخصوصية",
        "large_text": "نص كبير",
        "state_on": "مفعّل",
        "state_off": "غير مفعّل",
        "speech_name": "الصوت",
        "high_contrast": "تباين عالٍ",
        "contrast_short": "تباين",
        "scan_reentry": "مرحبًا بعودتك: أنت في الطابور بأولوية",
        "scan_requeued": "عدت إلى الطابور وسيتم استدعاؤك قريبًا",
        "scan_checkin": "تم تسجيل موعدك",
        "scan_too_early": "أنت مبكر: عد بعد الساعة {time}",
        "scan_too_late": "لقد فات موعدك",
        "scan_too_late_walkin": "يمكنك أخذ تذكرة عادية:",
        "scan_rejected": "الرمز غير معروف",
        "scan_still_waiting": "هذه التذكرة ما زالت في الطابور: انتظر النداء",
        "scan_already_returned": "استُخدمت هذه التذكرة للعودة من قبل",
        "scan_other_day": "هذه التذكرة ليست من اليوم",
        "scan_service_closed": "الخدمة مغلقة الآن",
        "out_of_order": "خارج الخدمة",
        "out_of_order_help": "يرجى سؤال الموظفين عند الشباك. نعتذر عن الإزعاج.",
        "not_configured": "الجهاز غير مُهيّأ",
        "not_configured_help": "يقوم فني بتهيئته وفق docs/technician.md. يرجى سؤال الموظفين عند الشباك.",
        "host_away": "هذا الجهاز لا يصل إلى طابور المكتب",
        "host_away_help": "يرجى استخدام الجهاز الآخر أو السؤال عند الشباك. لم تُطبع أي تذكرة هنا.",
        "staff_paper_low": "الورق على وشك النفاد",
        "privacy_title": "كيف نعالج البيانات",
        "privacy_body": (
            "المسؤول عن المعالجة: {controller}. مسؤول حماية البيانات: {dpo}.\n\n"
            "الغرض والأساس القانوني: إدارة الطابور عند الشبابيك، مهمة للمصلحة العامة "
            "(المادة 6(1)(هـ) من اللائحة العامة لحماية البيانات).\n\n"
            "البيانات: رقم التذكرة والخدمة والأوقات. لا شيء يحدد هويتك. رموز الحجز تُستخدم مشفّرة فقط.\n\n"
            "المستلمون: مشغّل النظام المركزي بصفته معالجًا، ولا يتلقى إلا أرقام التذاكر مع الخدمة عند "
            "الإصدار، وتسجيلات الوصول للمواعيد، وبيانات الانتظار لكل خدمة (وهي ذاتها المعروضة على شاشات "
            "قاعة الانتظار، وإجماليات كل ساعة تشمل خمسة أشخاص على الأقل)؛ ولا يعرف أبدًا هويتك ولا الشباك "
            "الذي خدمك.\n\n"
            "مدة الاحتفاظ: على الجهاز حتى نهاية اليوم ثم تُحذف؛ مركزيًا أرقام التذاكر لمدة 7 أيام (للتحقق من شكوى)، ثم المجاميع لكل ساعة فقط.\n\n"
            "حقوقك: الوصول والتصحيح والمحو والتقييد والاعتراض (المواد 15-22) وتقديم شكوى إلى هيئة "
            "حماية البيانات الإيطالية. لا توجد قرارات آلية.\n\n"
            "الموظفون: الشبابيك أجهزة مرقّمة؛ لا يُقاس أداء أي فرد."
        ),
    },
}

DAYS = {
    "it": "lun mar mer gio ven sab dom",
    "en": "Mon Tue Wed Thu Fri Sat Sun",
    "fr": "lun. mar. mer. jeu. ven. sam. dim.",
    "de": "Mo Di Mi Do Fr Sa So",
    "es": "lun mar mié jue vie sáb dom",
    "ar": "الاثنين الثلاثاء الأربعاء الخميس الجمعة السبت الأحد",
}
# The same days in full, as a voice says them ("mer" would be read as a word).
DAYS_SAID = {
    "it": "lunedì martedì mercoledì giovedì venerdì sabato domenica",
    "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
    "fr": "lundi mardi mercredi jeudi vendredi samedi dimanche",
    "de": "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag",
    "es": "lunes martes miércoles jueves viernes sábado domingo",
    "ar": "الاثنين الثلاثاء الأربعاء الخميس الجمعة السبت الأحد",
}


def text(lang: str, key: str, **values: object) -> str:
    """A string in ``lang`` (English when a language lacks it, which a test prevents)."""
    table = TEXTS.get(lang, TEXTS["en"])
    return table.get(key, TEXTS["en"][key]).format(**values)


def with_state(lang: str, key: str, on: bool) -> str:
    """A control's name with whether it is on ("Testo grande: sì"), as it is said."""
    return f"{text(lang, key)}: {text(lang, 'state_on' if on else 'state_off')}"


def weekday(lang: str, index: int) -> str:
    return DAYS.get(lang, DAYS["en"]).split()[index]
