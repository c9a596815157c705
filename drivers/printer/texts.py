"""What the ticket says, per language. Arabic cannot be printed in a printer code page;
an Arabic-speaking citizen's ticket is printed in English (see :func:`printable_language`)."""

from __future__ import annotations

TICKET_TEXTS: dict[str, dict[str, str]] = {
    "it": {
        "ahead": "Persone prima di lei: {n}",
        "wait": "Attesa stimata: circa {m} min",
        "soon": "Sarà chiamato a breve",
        "reentry": "Rientro: ticket precedente {ref}",
        "appointment": "Appuntamento delle {slot}",
        "phone": "Segua il turno sul telefono: inquadri il QR",
        "keep": "Conservi il biglietto: serve per tornare oggi.",
        "privacy": "Nessun dato personale. Informativa: tasto Privacy sul totem.",
    },
    "en": {
        "ahead": "People ahead of you: {n}",
        "wait": "Estimated wait: about {m} min",
        "soon": "You will be called shortly",
        "reentry": "Return: earlier ticket {ref}",
        "appointment": "Appointment at {slot}",
        "phone": "Follow your turn on your phone: scan the QR",
        "keep": "Keep this ticket: you need it to come back today.",
        "privacy": "No personal data. Privacy notice: Privacy button on the totem.",
    },
    "fr": {
        "ahead": "Personnes avant vous : {n}",
        "wait": "Attente estimée : environ {m} min",
        "soon": "Vous serez appelé très bientôt",
        "reentry": "Retour : ticket précédent {ref}",
        "appointment": "Rendez-vous à {slot}",
        "phone": "Suivez votre tour sur le téléphone : scannez le QR",
        "keep": "Gardez ce ticket : il sert pour revenir aujourd'hui.",
        "privacy": "Aucune donnée personnelle. Détails : bouton Privacy du totem.",
    },
    "de": {
        "ahead": "Personen vor Ihnen: {n}",
        "wait": "Geschätzte Wartezeit: etwa {m} Min.",
        "soon": "Sie werden gleich aufgerufen",
        "reentry": "Rückkehr: früheres Ticket {ref}",
        "appointment": "Termin um {slot}",
        "phone": "Ihre Nummer auf dem Handy: QR-Code scannen",
        "keep": "Ticket aufbewahren: Sie brauchen es für die Rückkehr heute.",
        "privacy": "Keine persönlichen Daten. Datenschutz: Taste Privacy am Gerät.",
    },
    "es": {
        "ahead": "Personas delante de usted: {n}",
        "wait": "Espera estimada: unos {m} min",
        "soon": "Le llamarán en breve",
        "reentry": "Regreso: tique anterior {ref}",
        "appointment": "Cita a las {slot}",
        "phone": "Siga su turno en el móvil: escanee el QR",
        "keep": "Guarde el tique: lo necesita para volver hoy.",
        "privacy": "Sin datos personales. Privacidad: botón Privacy del tótem.",
    },
}
