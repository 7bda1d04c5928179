namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>
/// Guesses the abuse class from what a person or a reporter's free-form field says ("brute force ssh
/// login attempts", "phishing page", "Shadowserver Botnet Drone"). Classes are tried from the most
/// specific to the most generic, so "phishing spam" is phishing and "ssh brute force scan" brute force.
/// </summary>
internal static class AbuseKeywords
{
    // Matched at the start of a word, lower case: "phish" also finds "phishing", "infring" "infringement".
    private static readonly (AbuseClass Class, string[] Words)[] Classes =
    [
        (AbuseClass.Phishing, ["phish", "credential", "fake login", "login page", "password harvest"]),
        (AbuseClass.Malware, ["malware", "virus", "trojan", "ransomware", "drive-by", "exploit kit", "malicious download", "infected file"]),
        (AbuseClass.Botnet, ["botnet", "command and control", "command & control", "c&c server", "botware", "drone"]),
        (AbuseClass.Copyright, ["copyright", "dmca", "infring", "pirat"]),
        (AbuseClass.Fraud, ["fraud", "scam", "fake shop", "advance fee"]),
        (AbuseClass.Ddos, ["ddos", "denial of service", "denial-of-service", "dos attack", "flood", "amplification attack"]),
        (AbuseClass.Bruteforce, ["brute force", "brute-force", "bruteforce", "ssh", "sshd", "login attempt", "failed login", "failed password", "dictionary attack", "password guessing"]),
        (AbuseClass.Scanning, ["scan", "portscan", "port scan", "probing"]),
        (AbuseClass.Spam, ["spam", "unsolicited", "junk mail", "junk e-mail", "bulk mail", "bulk e-mail", "uce", "ube"]),
    ];

    /// <summary>The most specific class named in <paramref name="text"/>; <see cref="AbuseClass.Other"/> when none is.</summary>
    public static AbuseClass Classify(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return AbuseClass.Other;
        }

        foreach (var (abuseClass, words) in Classes)
        {
            if (words.Any(word => ContainsWordStart(text, word)))
            {
                return abuseClass;
            }
        }

        return AbuseClass.Other;
    }

    private static bool ContainsWordStart(string text, string word)
    {
        var from = 0;
        while (from < text.Length)
        {
            var at = text.IndexOf(word, from, StringComparison.OrdinalIgnoreCase);
            if (at < 0)
            {
                return false;
            }

            var startsWord = at == 0 || !char.IsLetterOrDigit(text[at - 1]);

            // Short words must also end there: "uce" is not the start of "ucerr".
            var endsWord = word.Length > 3 || at + word.Length == text.Length || !char.IsLetter(text[at + word.Length]);
            if (startsWord && endsWord)
            {
                return true;
            }

            from = at + 1;
        }

        return false;
    }
}
