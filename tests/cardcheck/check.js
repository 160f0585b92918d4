// Reads a JSON array of Adaptive Cards on stdin; prints, for each card, what
// Microsoft's adaptivecards library says about it as Teams would host it:
// parse warnings (unknown element types, invalid values, unsupported
// version) and validation failures (more actions than Teams' maxActions in
// any action container, duplicate input ids, ...). No DOM: nothing renders.
const AC = require("adaptivecards/dist/adaptivecards.js");

// Teams' host configuration: actions.maxActions is 6 (the Adaptive Cards
// designer's microsoft-teams-light.json and -dark.json say the same).
const TEAMS = new AC.HostConfig({ supportsInteractivity: true, actions: { maxActions: 6 } });

function problems(json) {
  const card = new AC.AdaptiveCard();
  card.hostConfig = TEAMS;
  const context = new AC.SerializationContext();
  card.parse(json, context);
  const found = [];
  for (let i = 0; i < context.eventCount; i++) {
    const event = context.getEventAt(i);
    found.push(`${AC.ValidationEvent[event.event]}: ${event.message}`);
  }
  for (const event of card.validateProperties().validationEvents) {
    found.push(`${AC.ValidationEvent[event.event]}: ${event.message}`);
  }
  return found;
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  process.stdout.write(JSON.stringify(JSON.parse(input).map(problems)));
});
